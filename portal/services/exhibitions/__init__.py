"""Online exhibitions: staff build them, everyone browses the published ones.

The package, one idea a module: :mod:`.text` (sanitised rich text, slugs),
:mod:`.images` (checked pictures and their web derivatives), :mod:`.queries`
(who sees which exhibition, picture and item) and :mod:`.editing` (the staff
operations, each audited and committed). The names below are its public API.
"""
from .editing import (
    OBJECT_TYPE, archivists_may_edit, delete_item, delete_section, move_item, move_section, save_exhibition,
    save_file_item, save_image_item, save_section, set_archivists_may_edit, set_cover_from_item, set_featured,
    set_published, withdraw_classified_pictures,
)
from .images import (
    image_from_page, image_from_upload, image_path, open_checked_image, read_upload, render_page, source_file,
    write_derivatives,
)
from .queries import (
    ShownItem, cover_image, featured_exhibitions, get_exhibition, get_for_view, get_item, get_section,
    image_has_source, image_is_displayable, image_to_serve, item_for_request, list_for_staff, publish_problems, published_exhibitions,
    shown_items,
)
from .text import ALLOWED_TAGS, sanitize_html, slugify

__all__ = [
    "ALLOWED_TAGS", "OBJECT_TYPE", "ShownItem", "archivists_may_edit", "cover_image", "delete_item", "delete_section",
    "featured_exhibitions", "get_exhibition", "get_for_view", "get_item", "get_section", "image_from_page",
    "image_from_upload", "image_has_source", "image_is_displayable", "image_path", "image_to_serve", "item_for_request", "list_for_staff",
    "move_item", "move_section", "open_checked_image", "publish_problems", "published_exhibitions", "read_upload",
    "render_page", "sanitize_html", "save_exhibition", "save_file_item", "save_image_item", "save_section",
    "set_archivists_may_edit", "set_cover_from_item", "set_featured", "set_published", "shown_items", "slugify",
    "source_file", "withdraw_classified_pictures", "write_derivatives",
]
