"""Writing the audit trail. Callers add the event in their own transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, User


def record_event(
    session: Session,
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: object,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to ``session``; the caller's commit makes it durable."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
    )
    session.add(event)
    return event


def events_for(session: Session, obj_type: str | None = None, obj_id: object = None,
               limit: int = 200, offset: int = 0, action: str | None = None) -> list[AuditEvent]:
    """The newest events (by time, then by id), optionally for one object type, one object or one action."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    if obj_type is not None:
        query = query.where(AuditEvent.object_type == obj_type)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if obj_id is not None:
        query = query.where(AuditEvent.object_id == str(obj_id))
    return list(session.scalars(query))


def user_names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """Full names of the accounts the events are about (object id → name), for showing names, not ids."""
    ids = {int(e.object_id) for e in events if e.object_type == "user" and e.object_id.isdigit()}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {str(user_id): name for user_id, name in rows}
