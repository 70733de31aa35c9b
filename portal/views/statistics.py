"""Statistics for a chosen period (charts with their tables), and the yearly report
to the Sở Nội vụ as a printable page and as XLSX."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import format_date, get_locale

from ..auth_session import current_actor
from .. import charts
from ..deadlines import today_local
from ..errors import ValidationError
from ..forms import PeriodForm, apply_errors
from ..services import statistics, yearly_report
from .staff import staff_required

bp = Blueprint("statistics", __name__, url_prefix="/nghiep-vu/thong-ke")


@bp.app_template_filter("number")
def number(value: object) -> str:
    """A number as the page's language writes it: ``1.234,5`` in Vietnamese, ``1,234.5`` in English."""
    if value is None or value == "":
        return "—"
    amount = float(value)  # type: ignore[arg-type]
    text = f"{amount:,.0f}" if amount.is_integer() else f"{amount:,.1f}"
    if str(get_locale() or "vi") == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


@bp.app_template_filter("dayformat")
def dayformat(day) -> str:
    """A day as people write it: ``02/12/2026`` in Vietnamese, ``2 Dec 2026`` in English."""
    if str(get_locale() or "vi") == "vi":
        return day.strftime("%d/%m/%Y")
    return format_date(day, "d MMM yyyy")


@bp.app_template_global("chart")
def chart(figure: statistics.Figure):
    """The SVG of a figure (see portal/charts.py for why the server draws it)."""
    series = [(s.name, s.values) for s in figure.series]
    summary = "; ".join(f"{name}: {number(sum(values))}" for name, values in series)
    draw = charts.column_chart if figure.kind == "columns" else charts.bar_chart
    return draw(figure.key, figure.title, figure.categories, series, summary)


@bp.get("/")
@staff_required("statistics.view")
def index():
    """Every figure for the chosen period (default: this year until today)."""
    form = PeriodForm(request.args)
    today = today_local()
    if request.args and not form.validate():
        return render_template("statistics/index.html", form=form, stats=None), 400
    try:
        period = statistics.make_period(form.start.data, form.end.data, today)
    except ValidationError as error:
        apply_errors(form, error)
        return render_template("statistics/index.html", form=form, stats=None), 400
    form.start.data, form.end.data = period.start, period.end
    stats = statistics.compute(current_actor(), period, today)
    return render_template("statistics/index.html", form=form, stats=stats)


def _year() -> int:
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else today_local().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.get("/bao-cao-nam")
@staff_required("reports.yearly")
def yearly():
    """The yearly report as a page that prints on A4."""
    year = _year()
    report = yearly_report.build(current_actor(), year, current_app.config["ARCHIVE_NAME"])
    return render_template("statistics/yearly.html", report=report, header=yearly_report.HEADER,
                           years=range(today_local().year, 2019, -1))


@bp.get("/bao-cao-nam.xlsx")
@staff_required("reports.yearly")
def yearly_xlsx():
    """The yearly report as an Excel workbook."""
    year = _year()
    report = yearly_report.build(current_actor(), year, current_app.config["ARCHIVE_NAME"])
    content = yearly_report.to_xlsx(current_actor(), report)
    return Response(content, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="bao-cao-khai-thac-{year}.xlsx"',
                             "Cache-Control": "private, no-store"})
