"""Typed SQLAlchemy models; importing this package registers every table."""
from .accounts import STAFF_ROLES, Clearance, Consent, ConsentPurpose, IdKind, ReaderProfile, Role, User
from .audit import AuditEvent, AuditTrailIsAppendOnly
from .exhibitions import Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, ExhibitionSetting, ItemKind
from .jobs import Job
from .reading import ReadingAccess, ReadingCopy, ReadingFlag
from .records import AccessMode, Document, Fonds, PageScan, RecordFile
from .requests import AccessRequest, BasketEntry, RequestItem, RequestMessage
from .visits import DigitisationRequest, OpeningHours, RoomClosure, RoomSettings, Visit, VisitFile

__all__ = [
    "STAFF_ROLES", "AccessMode", "AccessRequest", "BasketEntry", "RequestItem", "RequestMessage", "AuditEvent", "AuditTrailIsAppendOnly", "Clearance", "Consent",
    "ConsentPurpose", "Document", "Fonds", "Job", "ReadingAccess", "ReadingCopy", "ReadingFlag", "IdKind", "PageScan", "ReaderProfile", "RecordFile",
    "Role", "User",
    "Exhibition", "ExhibitionImage", "ExhibitionItem", "ExhibitionSection", "ExhibitionSetting", "ItemKind",
    "DigitisationRequest", "OpeningHours", "RoomClosure", "RoomSettings", "Visit", "VisitFile",
]
