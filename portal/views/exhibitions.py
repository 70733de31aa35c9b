"""Online exhibitions: the public pages (/trien-lam) and the staff editor (/nghiep-vu/trien-lam).

Views parse input and call one service function each; the rules live in
:mod:`portal.services.exhibitions`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from wtforms import BooleanField, StringField, TextAreaField

from ..auth_session import current_actor
from ..caching import no_store
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..forms import ConfirmForm, apply_errors
from ..models import ExhibitionImage, ItemKind
from ..permissions import can
from ..request_limits import accepts_upload
from ..services import audit, exhibition_visits
from ..services import exhibitions as svc
from ..urls import external_url
from .staff import staff_required

bp = Blueprint("exhibitions", __name__)

IMAGE_CACHE_SECONDS = 365 * 24 * 3600
SOURCED_IMAGE_CACHE_SECONDS = 3600  # pictures of a file's pages: withdrawn when the file becomes classified
DIRECTIONS = {"len": "up", "xuong": "down"}


# --- forms ---------------------------------------------------------------------------

class ExhibitionForm(FlaskForm):
    slug = StringField(_l("Đường dẫn"))
    title = StringField(_l("Tiêu đề"))
    title_en = StringField(_l("Tiêu đề tiếng Anh (không bắt buộc)"))
    summary = TextAreaField(_l("Giới thiệu ngắn"))
    summary_en = TextAreaField(_l("Giới thiệu ngắn tiếng Anh (không bắt buộc)"))
    cover = FileField(_l("Ảnh bìa (JPEG, PNG hoặc WebP)"))


class SectionForm(FlaskForm):
    title = StringField(_l("Tiêu đề phần"))
    title_en = StringField(_l("Tiêu đề phần tiếng Anh (không bắt buộc)"))
    body = TextAreaField(_l("Nội dung"))
    body_en = TextAreaField(_l("Nội dung tiếng Anh (không bắt buộc)"))


class ImageItemForm(FlaskForm):
    image = FileField(_l("Ảnh (JPEG, PNG hoặc WebP)"))
    caption = TextAreaField(_l("Chú thích"))
    caption_en = TextAreaField(_l("Chú thích tiếng Anh (không bắt buộc)"))
    credit = StringField(_l("Nguồn ảnh"))
    credit_en = StringField(_l("Nguồn ảnh tiếng Anh (không bắt buộc)"))
    source_file = StringField(_l("Cắt từ hồ sơ (mã hồ sơ, nếu ảnh là một phần trang của hồ sơ lưu trữ)"))


class FileItemForm(FlaskForm):
    file_code = StringField(_l("Mã hồ sơ"))
    page_no = StringField(_l("Trang trưng bày (để trống: chỉ giới thiệu thông tin hồ sơ)"))
    page_publishable = BooleanField(_l("Trang này được phép công bố (bắt buộc với hồ sơ tiếp cận có điều kiện)"))
    caption = TextAreaField(_l("Lời giới thiệu (không bắt buộc)"))
    caption_en = TextAreaField(_l("Lời giới thiệu tiếng Anh (không bắt buộc)"))


class SettingsForm(FlaskForm):
    archivists_may_edit = BooleanField(_l("Cho phép cán bộ phòng đọc tạo và sửa triển lãm"))


# --- template helpers ----------------------------------------------------------------

@dataclass(frozen=True)
class Localized:
    """A text in the UI language when it exists, else in Vietnamese; ``lang`` says which."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


@bp.app_template_global("tr")
def localized(obj: object, field: str) -> Localized:
    """``obj.<field>_en`` when the UI is English and it is filled in, else ``obj.<field>``."""
    if str(get_locale() or "vi") == "en":
        english = getattr(obj, f"{field}_en", None)
        if english:
            return Localized(english, "en")
    return Localized(getattr(obj, field, None) or "", "vi")


@bp.app_template_filter("exhibition_html")
def exhibition_html(html: object) -> Markup:
    """Stored rich text, sanitised again on the way out (the allow-list may have tightened)."""
    return Markup(svc.sanitize_html(str(html or "")))


@bp.app_template_global()
def exhibition_image_url(image: ExhibitionImage, width: int | None = None, external: bool = False) -> str:
    if external:  # share metadata: the public address, never the request's Host header
        return external_url("exhibitions.image", key=image.key, name=image.file_name(width))
    return url_for("exhibitions.image", key=image.key, name=image.file_name(width))


@bp.app_template_global()
def exhibition_srcset(image: ExhibitionImage) -> str:
    return ", ".join(f"{exhibition_image_url(image, w)} {w}w" for w in image.widths)


@bp.app_template_global()
def exhibition_cover(exhibition) -> ExhibitionImage | None:
    return svc.cover_image(exhibition)


@bp.app_template_global()
def featured_exhibitions() -> list:
    """For the home page."""
    return svc.featured_exhibitions()


# --- public pages ----------------------------------------------------------------------

@bp.get("/trien-lam")
def index():
    """Every published exhibition, featured first."""
    return render_template("exhibitions/index.html", exhibitions=svc.published_exhibitions())


@bp.get("/trien-lam/<slug>")
def detail(slug: str):
    """One exhibition (or an editor's preview of a draft)."""
    exhibition, preview = svc.get_for_view(current_user, slug)
    sections = [(section, svc.shown_items(section, preview)) for section in exhibition.sections]
    response = render_template("exhibitions/detail.html", exhibition=exhibition, preview=preview,
                               sections=sections, cover=svc.cover_image(exhibition),
                               problems=svc.publish_problems(exhibition) if preview else [])
    if preview:
        return response, 200, {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    exhibition_visits.count_visit(exhibition.id)  # a number per day; who visited is not stored
    return response


@bp.after_request
def staff_pages_are_not_stored(response):
    """The editor's pages show drafts: never kept by a browser or a proxy."""
    if (request.endpoint or "").startswith("exhibitions.staff_"):
        no_store(response)
    return response


@bp.get("/trien-lam/anh/<key>/<name>")
def image(key: str, name: str):
    """A web derivative; published ones are cached for a year (their content never changes)."""
    path, public = svc.image_to_serve(current_user, key, name)
    # A picture of a catalogue file's page follows the file's mode: it may be withdrawn, so shared
    # caches keep it only briefly; other pictures never change and are kept for a year.
    lifetime = SOURCED_IMAGE_CACHE_SECONDS if svc.image_has_source(key) else IMAGE_CACHE_SECONDS
    response = send_file(path, mimetype="image/webp", conditional=True, max_age=lifetime if public else 0)
    response.headers["Cache-Control"] = (f"public, max-age={lifetime}" + (", immutable" if lifetime ==
                                         IMAGE_CACHE_SECONDS else "") if public else "private, no-store")
    return response


@bp.get("/trien-lam/<slug>/muc/<int:item_id>/yeu-cau-doc")
@login_required
def request_file(slug: str, item_id: int):
    """After login: confirm putting an exhibited file into the request basket."""
    item = svc.item_for_request(current_user, slug, item_id)
    return render_template("exhibitions/request_file.html", item=item, exhibition=item.section.exhibition,
                           may_request=can(current_user, "request.create"))


# --- staff: exhibitions ---------------------------------------------------------------

@bp.get("/nghiep-vu/trien-lam")
@staff_required("exhibitions.edit")
def staff_index():
    """Every exhibition with its state; the admin's setting for archivists."""
    form = SettingsForm(archivists_may_edit=svc.archivists_may_edit())
    return render_template("staff/exhibitions.html", exhibitions=svc.list_for_staff(current_actor()), settings_form=form)


@bp.post("/nghiep-vu/trien-lam/cai-dat")
@staff_required("exhibitions.settings")
def staff_settings():
    form = SettingsForm()
    if form.validate_on_submit():
        svc.set_archivists_may_edit(current_actor(), bool(form.archivists_may_edit.data))
        flash(_("Đã lưu cài đặt triển lãm."), "success")
    return redirect(url_for("exhibitions.staff_index"))


def _upload(name: str):
    """The uploaded file of field ``name``, or None when nothing was chosen."""
    upload = request.files.get(name)
    return upload if upload is not None and upload.filename else None


@bp.route("/nghiep-vu/trien-lam/moi", methods=["GET", "POST"])
@bp.route("/nghiep-vu/trien-lam/<int:exhibition_id>/sua", methods=["GET", "POST"])
@accepts_upload("EXHIBITION_IMAGE_MAX_BYTES")
@staff_required("exhibitions.edit")
def staff_edit(exhibition_id: int | None = None):
    """Create an exhibition, or edit its slug, titles, summaries and cover."""
    exhibition = svc.get_exhibition(current_actor(), exhibition_id) if exhibition_id else None
    form = ExhibitionForm(obj=exhibition)
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items() if name != "cover"}
        upload = _upload("cover")
        try:
            exhibition = svc.save_exhibition(current_actor(), data, cover=upload, exhibition=exhibition)
        except ValidationError as error:
            apply_errors(form, error)
            if upload is not None and "cover" not in error.fields:
                form.cover.errors = [_("Vì biểu mẫu có lỗi, hãy chọn lại ảnh bìa.")]
        else:
            flash(_("Đã lưu triển lãm."), "success")
            return redirect(url_for("exhibitions.staff_manage", exhibition_id=exhibition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/exhibition_form.html", form=form, exhibition=exhibition), status


@bp.get("/nghiep-vu/trien-lam/<int:exhibition_id>")
@staff_required("exhibitions.edit")
def staff_manage(exhibition_id: int):
    """The exhibition's structure: sections and items in order, state, history."""
    exhibition = svc.get_exhibition(current_actor(), exhibition_id)
    sections = [(section, svc.shown_items(section, preview=True)) for section in exhibition.sections]
    return render_template("staff/exhibition_manage.html", exhibition=exhibition, sections=sections,
                           problems=svc.publish_problems(exhibition), cover=svc.cover_image(exhibition),
                           events=audit.events_for(db.session, svc.OBJECT_TYPE, exhibition.id, limit=30),
                           confirm=ConfirmForm())


STATE_ACTIONS = {
    "cong-bo": (svc.set_published, True, _l("Đã công bố triển lãm.")),
    "go-bo": (svc.set_published, False, _l("Đã gỡ triển lãm khỏi trang công khai.")),
    "noi-bat": (svc.set_featured, True, _l("Triển lãm sẽ hiện trên trang chủ khi được công bố.")),
    "bo-noi-bat": (svc.set_featured, False, _l("Đã bỏ khỏi trang chủ.")),
}


@bp.post("/nghiep-vu/trien-lam/<int:exhibition_id>/<any('cong-bo', 'go-bo', 'noi-bat', 'bo-noi-bat'):action>")
@staff_required("exhibitions.edit")
def staff_state(exhibition_id: int, action: str):
    """Publish, unpublish, feature or unfeature."""
    exhibition = svc.get_exhibition(current_actor(), exhibition_id)
    if ConfirmForm().validate_on_submit():
        function, value, message = STATE_ACTIONS[action]
        try:
            function(current_actor(), exhibition, value)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(str(message), "success")
    return redirect(url_for("exhibitions.staff_manage", exhibition_id=exhibition.id))


# --- staff: sections -------------------------------------------------------------------

@bp.route("/nghiep-vu/trien-lam/<int:exhibition_id>/phan/moi", methods=["GET", "POST"])
@bp.route("/nghiep-vu/trien-lam/phan/<int:section_id>/sua", methods=["GET", "POST"])
@staff_required("exhibitions.edit")
def staff_section(exhibition_id: int | None = None, section_id: int | None = None):
    """Add or edit a section (heading and rich text)."""
    section = svc.get_section(current_actor(), section_id) if section_id else None
    exhibition = section.exhibition if section else svc.get_exhibition(current_actor(), exhibition_id or 0)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        try:
            section = svc.save_section(current_actor(), exhibition, {n: f.data for n, f in form._fields.items()}, section)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            flash(_("Đã lưu phần triển lãm."), "success")
            return redirect(url_for("exhibitions.staff_manage", exhibition_id=exhibition.id) + f"#phan-{section.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("staff/exhibition_section_form.html", form=form, exhibition=exhibition,
                           section=section, allowed_tags=sorted(svc.ALLOWED_TAGS)), status


@bp.post("/nghiep-vu/trien-lam/phan/<int:section_id>/<any('len', 'xuong'):direction>")
@staff_required("exhibitions.edit")
def staff_section_move(section_id: int, direction: str):
    section = svc.get_section(current_actor(), section_id)
    if ConfirmForm().validate_on_submit():
        svc.move_section(current_actor(), section, DIRECTIONS[direction])
    return redirect(url_for("exhibitions.staff_manage", exhibition_id=section.exhibition_id) + f"#phan-{section.id}")


@bp.post("/nghiep-vu/trien-lam/phan/<int:section_id>/xoa")
@staff_required("exhibitions.edit")
def staff_section_delete(section_id: int):
    section = svc.get_section(current_actor(), section_id)
    exhibition_id = section.exhibition_id
    if ConfirmForm().validate_on_submit():
        svc.delete_section(current_actor(), section)
        flash(_("Đã xóa phần triển lãm."), "info")
    return redirect(url_for("exhibitions.staff_manage", exhibition_id=exhibition_id))


# --- staff: items ------------------------------------------------------------------------

@bp.route("/nghiep-vu/trien-lam/phan/<int:section_id>/<any('anh', 'ho-so'):kind>/moi", methods=["GET", "POST"])
@bp.route("/nghiep-vu/trien-lam/muc/<int:item_id>/sua", methods=["GET", "POST"])
@accepts_upload("EXHIBITION_IMAGE_MAX_BYTES")
@staff_required("exhibitions.edit")
def staff_item(section_id: int | None = None, kind: str | None = None, item_id: int | None = None):
    """Add or edit an item: an image (with caption and credit) or a catalogue file (with a page)."""
    item = svc.get_item(current_actor(), item_id) if item_id else None
    section = item.section if item else svc.get_section(current_actor(), section_id or 0)
    is_image = (item.kind == ItemKind.IMAGE.value) if item else kind == "anh"
    form = ImageItemForm(obj=item) if is_image else FileItemForm(obj=item)
    if item is not None and not is_image and request.method == "GET" and item.file is not None:
        form.file_code.data = item.file.file_code
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items() if name != "image"}
        upload = _upload("image") if is_image else None
        try:
            if is_image:
                item = svc.save_image_item(current_actor(), section, data, upload, item)
            else:
                item = svc.save_file_item(current_actor(), section, data, item)
        except ValidationError as error:
            apply_errors(form, error)
            if upload is not None and "image" not in error.fields:
                form.image.errors = [_("Vì biểu mẫu có lỗi, hãy chọn lại tệp ảnh.")]
        else:
            flash(_("Đã lưu mục triển lãm."), "success")
            return redirect(url_for("exhibitions.staff_manage", exhibition_id=section.exhibition_id)
                            + f"#muc-{item.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("staff/exhibition_item_form.html", form=form, item=item, section=section,
                           exhibition=section.exhibition, is_image=is_image), status


@bp.post("/nghiep-vu/trien-lam/muc/<int:item_id>/<any('len', 'xuong'):direction>")
@staff_required("exhibitions.edit")
def staff_item_move(item_id: int, direction: str):
    item = svc.get_item(current_actor(), item_id)
    if ConfirmForm().validate_on_submit():
        svc.move_item(current_actor(), item, DIRECTIONS[direction])
    return redirect(url_for("exhibitions.staff_manage", exhibition_id=item.section.exhibition_id) + f"#muc-{item.id}")


@bp.post("/nghiep-vu/trien-lam/muc/<int:item_id>/xoa")
@staff_required("exhibitions.edit")
def staff_item_delete(item_id: int):
    item = svc.get_item(current_actor(), item_id)
    exhibition_id = item.section.exhibition_id
    if ConfirmForm().validate_on_submit():
        svc.delete_item(current_actor(), item)
        flash(_("Đã xóa mục triển lãm."), "info")
    return redirect(url_for("exhibitions.staff_manage", exhibition_id=exhibition_id))


@bp.post("/nghiep-vu/trien-lam/muc/<int:item_id>/anh-bia")
@staff_required("exhibitions.edit")
def staff_item_cover(item_id: int):
    item = svc.get_item(current_actor(), item_id)
    if ConfirmForm().validate_on_submit():
        try:
            svc.set_cover_from_item(current_actor(), item)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Đã đặt ảnh bìa."), "success")
    return redirect(url_for("exhibitions.staff_manage", exhibition_id=item.section.exhibition_id))

