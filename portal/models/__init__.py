"""Typed SQLAlchemy models; importing this package registers every table."""
from .accounts import STAFF_ROLES, Clearance, Consent, ConsentPurpose, IdKind, LoginSession, ReaderProfile, Role, User
from .audit import AuditEvent, AuditTrailIsAppendOnly
from .copies import CopyDownload, CopyOrder, CopyOrderFile, CopyPayment, FeeSchedule
from .exhibitions import Exhibition, ExhibitionImage, ExhibitionItem, ExhibitionSection, ItemKind
from .harvest import HarvestDeletion
from .jobs import WAITING_STATUSES, Job, JobStatus, WorkerBeat
from .notifications import ExhibitionVisit, Notification
from .ocr import PageText
from .reading import AccessKind, ReadingCopyKind, ReadingCopyStatus, ReadingAccess, ReadingCopy, ReadingFlag
from .records import AccessMode, Document, Fonds, PageScan, RecordFile, ScanKind
from .requests import AccessRequest, BasketEntry, RequestItem, RequestMessage
from .settings import Setting
from .visits import DigitisationRequest, OpeningHours, RoomClosure, RoomSettings, Visit, VisitFile

__all__ = [
    "STAFF_ROLES", "AccessKind", "AccessMode", "ReadingCopyKind", "ReadingCopyStatus", "ScanKind", "AccessRequest", "BasketEntry", "RequestItem", "RequestMessage", "AuditEvent", "AuditTrailIsAppendOnly", "Clearance", "Consent",
    "ConsentPurpose", "Document", "Fonds", "Job", "JobStatus", "WAITING_STATUSES", "ReadingAccess", "ReadingCopy", "ReadingFlag", "IdKind", "PageScan", "ReaderProfile", "RecordFile",
    "Role", "User", "LoginSession", "WorkerBeat",
    "CopyDownload", "CopyOrder", "CopyOrderFile", "CopyPayment", "FeeSchedule",
    "Exhibition", "ExhibitionImage", "ExhibitionItem", "ExhibitionSection", "ItemKind", "Setting",
    "ExhibitionVisit", "Notification", "HarvestDeletion", "PageText",
    "DigitisationRequest", "OpeningHours", "RoomClosure", "RoomSettings", "Visit", "VisitFile",
]
