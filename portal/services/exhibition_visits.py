"""Counting exhibition visits without storing who: one counter per exhibition and Vietnam day."""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..deadlines import today_local
from ..extensions import db
from ..models import ExhibitionVisit


def count_visit(exhibition_id: int, day: date | None = None) -> None:
    """Add one view to the exhibition's counter for ``day`` (today in Vietnam). Nothing about the visitor is kept."""
    day = day or today_local()
    for _attempt in range(2):  # two first visits of the day at once: one inserts, the other updates
        result = db.session.execute(update(ExhibitionVisit).where(
            ExhibitionVisit.exhibition_id == exhibition_id, ExhibitionVisit.day == day)
            .values(views=ExhibitionVisit.views + 1))
        if result.rowcount:
            db.session.commit()
            return
        db.session.add(ExhibitionVisit(exhibition_id=exhibition_id, day=day, views=1))
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
