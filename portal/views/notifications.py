"""The bell: a person's notifications, opened one by one or all marked read."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth_session import current_actor
from ..forms import ConfirmForm
from ..services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/thong-bao")


@bp.app_context_processor
def bell() -> dict[str, object]:
    """The unread count for the header, counted only when a page shows it."""

    class _Count:
        _value: int | None = None

        def __int__(self) -> int:
            if self._value is None:
                self._value = notifications.unread_count(current_user)
            return self._value

        def __str__(self) -> str:
            return str(int(self))

    return {"unread_notifications": _Count()}


@bp.get("/")
@login_required
def index():
    """Every notification, newest first; unread ones stand out."""
    me = current_actor()
    return render_template("notifications/index.html", items=notifications.recent(me), form=ConfirmForm())


@bp.get("/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    """Mark one notification read and go where it points (or back to the list)."""
    item = notifications.open_notification(current_actor(), notification_id)
    return redirect(item.link or url_for("notifications.index"))


@bp.post("/da-doc")
@login_required
def mark_all_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notifications.mark_all_read(current_actor())
    flash(_("Đã đánh dấu tất cả thông báo là đã đọc."), "success")
    return redirect(url_for("notifications.index"))
