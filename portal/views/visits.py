"""Reading-room visits: the reader's visits (move, cancel, .ics), and the staff
side — the calendar, the desk's day, the digitisation queue and the visits register."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth_session import current_actor
from ..errors import DomainError, ValidationError
from ..forms import RegisterExportForm
from ..permissions import can
from ..services import requests as requests_svc
from ..dashboard import register_panel
from ..services.visits import booking, calendar, desk, digitisation, figures, notify, register
from ..services.visits.transitions import LABELS, SESSION_LABELS, VisitStatus, visit_actions_from

bp = Blueprint("visits", __name__)


def allowed(action: str):
    """Only logged-in users that ``permissions.can`` allows ``action``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.record_once
def _template_globals(state) -> None:
    # Globals (not a context processor) so imported macros see them too.
    state.app.jinja_env.globals.update(visit_labels=LABELS, session_labels=SESSION_LABELS, VisitStatus=VisitStatus)


# --- the reader's visits --------------------------------------------------------------------

@bp.get("/lich-doc/")
@login_required
def my_visits():
    """The reader's visits to the reading room."""
    return render_template("visits/my_visits.html", visits=booking.my_visits(current_actor()))


def _detail(visit, status: int = 200, errors: dict[str, list[str]] | None = None):
    me = current_actor()
    may_change = can(me, "visit.change", visit) and (booking.reader_may_change(visit) if not can(me, "desk.operate")
                                                      else visit.status == VisitStatus.BOOKED.value)
    return render_template("visits/visit_detail.html", visit=visit, slot=booking.slot_of(visit),
                           settings=calendar.room_settings(), bring=notify.what_to_bring(visit),
                           deadline=booking.change_deadline(visit), may_change=may_change,
                           slots=calendar.upcoming_slots() if may_change else [], errors=errors or {}), status


@bp.post("/lich-doc/dat-lich/<int:request_id>")
@login_required
def book_later(request_id: int):
    """Book a visit for a request's reading-room files that have none yet."""
    req = requests_svc.get_request(current_actor(), request_id)
    try:
        visit = booking.book_later(current_actor(), req, request.form.get("visit_slot", ""))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("reader.request_detail", request_id=req.id) + "#dat-lich")
    flash(_("Đã đặt lịch đọc %(code)s.", code=visit.code), "success")
    return redirect(url_for("visits.visit_detail", visit_id=visit.id))


@bp.get("/lich-doc/<int:visit_id>")
@login_required
def visit_detail(visit_id: int):
    """One visit: day, hours, address, what to bring, its files; move or cancel before the cut-off."""
    return _detail(booking.get_visit(current_actor(), visit_id))


@bp.post("/lich-doc/<int:visit_id>/doi-lich")
@login_required
def move(visit_id: int):
    """Move the visit to another slot."""
    visit = booking.get_visit(current_actor(), visit_id)
    try:
        booking.move_visit(current_actor(), visit, request.form.get("visit_slot", ""))
    except ValidationError as error:
        return _detail(visit, 400, error.fields or {"visit_slot": [error.message]})
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã đổi lịch sang %(session)s ngày %(day)s.", session=SESSION_LABELS[visit.session],
                day=visit.day.strftime("%d/%m/%Y")), "success")
    return redirect(url_for("visits.visit_detail", visit_id=visit.id))


@bp.post("/lich-doc/<int:visit_id>/huy")
@login_required
def cancel(visit_id: int):
    """Cancel the visit (the reader before the cut-off; staff with a reason)."""
    visit = booking.get_visit(current_actor(), visit_id)
    try:
        booking.cancel_visit(current_actor(), visit, request.form.get("reason"))
    except ValidationError as error:
        return _detail(visit, 400, error.fields or {"cancel": [error.message]})
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Đã hủy lịch đọc."), "success")
    return redirect(url_for("visits.visit_detail", visit_id=visit.id))


@bp.get("/lich-doc/<int:visit_id>/lich.ics")
@login_required
def visit_ics(visit_id: int):
    """The visit as an iCalendar file; another reader's visit is 404."""
    visit = booking.get_visit(current_actor(), visit_id)
    return Response(notify.visit_ics(visit), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{visit.code}.ics"',
                             "Cache-Control": "private, no-store"})


# --- staff: the calendar ---------------------------------------------------------------------

def _calendar_page(status: int = 200, errors: dict[str, list[str]] | None = None, values: dict | None = None):
    settings = calendar.room_settings()
    hours = calendar.opening_hours()
    if values is None:
        values = {name: getattr(settings, name) for name in calendar.SETTING_LIMITS}
        values["address"] = settings.address
        for weekday, row in hours.items():
            for session in calendar.SESSIONS:
                span = calendar.session_hours(row, session)
                values[f"h{weekday}_{session}_opens"] = span[0].strftime("%H:%M") if span else ""
                values[f"h{weekday}_{session}_closes"] = span[1].strftime("%H:%M") if span else ""
    return render_template("visits/calendar.html", values=values, errors=errors or {},
                           closures=calendar.upcoming_closures(), holidays=calendar.upcoming_holidays(),
                           closure_form=request.form if request.path.endswith("ngay-nghi") else {}), status


@bp.route("/nghiep-vu/phong-doc/lich", methods=["GET", "POST"])
@allowed("calendar.manage")
def calendar_settings():
    """Opening hours per weekday, seats and the booking rules, kept by staff."""
    if request.method == "POST":
        try:
            calendar.save_calendar(current_actor(), request.form.to_dict())
        except ValidationError as error:
            return _calendar_page(400, error.fields, request.form.to_dict())
        flash(_("Đã lưu lịch phòng đọc."), "success")
        return redirect(url_for("visits.calendar_settings"))
    return _calendar_page()


@bp.post("/nghiep-vu/phong-doc/ngay-nghi")
@allowed("calendar.manage")
def add_closure():
    """Close the room on a day."""
    try:
        calendar.add_closure(current_actor(), request.form.get("day"), request.form.get("reason", ""))
    except ValidationError as error:
        return _calendar_page(400, error.fields)
    flash(_("Đã thêm ngày nghỉ."), "success")
    return redirect(url_for("visits.calendar_settings"))


@bp.post("/nghiep-vu/phong-doc/ngay-nghi/<int:closure_id>/xoa")
@allowed("calendar.manage")
def remove_closure(closure_id: int):
    """Open the room again on a closed day."""
    calendar.remove_closure(current_actor(), closure_id)
    flash(_("Đã bỏ ngày nghỉ."), "success")
    return redirect(url_for("visits.calendar_settings"))


# --- staff: the desk's day -------------------------------------------------------------------------

def _day_arg() -> date | None:
    raw = request.args.get("ngay") or request.form.get("ngay")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


@bp.get("/nghiep-vu/phong-doc/ban-doc")
@allowed("desk.operate")
def desk_day():
    """Today's visits (or ?ngay=), the files to fetch by inventory and box, and the desk's actions."""
    day = desk.desk_day(current_actor(), _day_arg())
    return render_template("visits/desk.html", desk=day, today=calendar.now_local().date(),
                           actions_from=visit_actions_from, files_out=desk.files_out(current_actor()))


def _back_to_desk(visit):
    return redirect(url_for("visits.desk_day", ngay=visit.day.isoformat()) + f"#luot-{visit.id}")


@bp.post("/nghiep-vu/phong-doc/luot/<int:visit_id>/<action>")
@allowed("desk.operate")
def desk_action(visit_id: int, action: str):
    """Check-in (with the ID document seen), check-out or no-show."""
    operations = {"tiep-nhan": lambda v: desk.check_in(current_actor(), v, request.form.get("id_seen", "")),
                  "ra-ve": lambda v: desk.check_out(current_actor(), v),
                  "khong-den": lambda v: desk.mark_no_show(current_actor(), v)}
    if action not in operations:
        abort(404)
    visit = desk.get_desk_visit(current_actor(), visit_id)
    try:
        operations[action](visit)
    except DomainError as error:
        flash(error.message, "error")
        return _back_to_desk(visit)
    flash(_("Đã cập nhật lượt đọc %(code)s: %(state)s.", code=visit.code,
            state=LABELS[VisitStatus(visit.status)]), "success")
    return _back_to_desk(visit)


@bp.post("/nghiep-vu/phong-doc/giao-nhan/<int:visit_file_id>/<action>")
@allowed("desk.operate")
def handover(visit_file_id: int, action: str):
    """Hand a file to the reader, or take it back (sổ giao nhận tài liệu)."""
    if action not in ("giao", "tra"):
        abort(404)
    visit_file = desk.get_visit_file(current_actor(), visit_file_id)
    try:
        if action == "giao":
            desk.hand_over(current_actor(), visit_file)
            flash(_("Đã giao hồ sơ %(code)s.", code=visit_file.file.file_code), "success")
        else:
            desk.return_file(current_actor(), visit_file)
            flash(_("Đã nhận lại hồ sơ %(code)s.", code=visit_file.file.file_code), "success")
    except DomainError as error:
        flash(error.message, "error")
    return _back_to_desk(visit_file.visit)


# --- staff: digitisation on demand and the register -------------------------------------------------

@bp.get("/nghiep-vu/so-hoa")
@allowed("digitisation.queue")
def digitisation_queue():
    """Files readers asked to have digitised: how many wait, by when."""
    return render_template("visits/digitisation.html", rows=digitisation.queue(current_actor()),
                           today=calendar.now_local().date())


@bp.get("/nghiep-vu/phong-doc/so-theo-doi")
@allowed("registers.export")
def visits_register():
    """Sổ theo dõi độc giả đọc tại phòng đọc for a date range, as CSV or XLSX."""
    form = RegisterExportForm(request.args)
    kind = request.args.get("kind")
    if kind in ("csv", "xlsx") and form.validate():
        start, end = form.start.data, form.end.data
        try:
            if kind == "csv":
                content, mimetype = register.visits_csv(current_actor(), start, end).encode("utf-8"), "text/csv; charset=utf-8"
            else:
                content = register.visits_xlsx(current_actor(), start, end)
                mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        except ValidationError as error:
            form.end.errors = [error.message]
        else:
            name = f"so-theo-doi-doc-gia-{start:%Y%m%d}-{end:%Y%m%d}.{kind}"
            return Response(content, mimetype=mimetype,
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "Cache-Control": "private, no-store"})
    status = 400 if kind and form.errors else 200
    return render_template("visits/register.html", form=form), status


@register_panel("visits_today", "visits/_panel.html", roles=("archivist", "admin"), order=14)
def visits_panel(user):
    """Today's reading room: readers expected, in the room and gone; files to fetch from the stacks."""
    room = figures.room_today(user, calendar.now_local().date())
    return None if room.is_empty else {"room": room}
