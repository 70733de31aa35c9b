"""What harvesters must be told was withdrawn: the trace of a file that left the public catalogue."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class HarvestDeletion(Base):
    """A public file code that is no longer public (reclassified as mật, or renamed).

    OAI-PMH harvesters that copied the record must learn it is gone
    (``<header status="deleted">``), so the trace is kept for good
    (``deletedRecord`` = persistent); it is removed when the code is public again.
    """

    __tablename__ = "harvest_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_code: Mapped[str] = mapped_column(String(80), unique=True)
    fonds_code: Mapped[str] = mapped_column(String(40))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("record_files.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
