"""Server-side login sessions: opened at login, ended at logout, on blocking and on a password change.

The signed session cookie alone cannot be taken back once issued; a row per login
can. The cookie carries a random token, :func:`is_live` checks its row on every
request, and ending the row ends the session wherever the cookie was copied to.
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import ColumnElement, bindparam, exists, select, update

from ..db import utcnow
from ..extensions import db
from ..models import LoginSession, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User) -> str:
    """Start a session for ``user``; return the token the cookie keeps."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_hash(token)))
    db.session.commit()
    return token


def token_hash(token: object) -> str:
    """What the sessions table keeps of a cookie's token; "" (matching no row) for anything not a token."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return ""
    return _hash(token)


def live_clause() -> ColumnElement[bool]:
    """SQL: the user of the row in hand (``User.id``) has a session not ended whose token hashes to the
    bound parameter ``token_hash`` (:func:`token_hash`).

    Loading a user and checking their session in one query (see auth_session.load_user).
    """
    return exists().where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.user_id == User.id,
                          LoginSession.ended_at.is_(None))


def is_live(user_id: int, token: str | None) -> bool:
    """Whether ``token`` is a session of ``user_id`` that has not been ended."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return False
    return db.session.scalar(select(LoginSession.id).where(
        LoginSession.token_hash == _hash(token), LoginSession.user_id == user_id,
        LoginSession.ended_at.is_(None))) is not None


def end_session(token: str | None, reason: str = "logout") -> None:
    """End one session (logout); unknown tokens are ignored."""
    if not token or not isinstance(token, str):
        return
    db.session.execute(update(LoginSession).where(
        LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason))
    db.session.commit()


def end_all_sessions(user: User, reason: str, keep: str | None = None) -> None:
    """End every session of ``user`` but ``keep`` (inside the caller's transaction; it commits)."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep:
        query = query.where(LoginSession.token_hash != _hash(keep))
    db.session.execute(query.values(ended_at=utcnow(), end_reason=reason))
    user.session_version += 1
