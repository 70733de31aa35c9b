"""Registers background job handlers, workflow hooks and periodic housekeeping (imported by the factory)."""
from __future__ import annotations

from . import jobs
from .services import ocr  # noqa: F401  (registers the OCR job and its scan hook)
from .services import reading  # noqa: F401  (registers the reading-copy build job)
from .services import requests as request_service
from .services import search  # noqa: F401  (registers the search index job)
from .services.copies import delivery as copy_delivery
from .services.copies import notify as _copy_notify  # noqa: F401  (mails on copy-order transitions)
from .services.copies import payments as _copy_payments  # noqa: F401  (a free order is settled at once)
from .services.copies import production as _copy_production  # noqa: F401  (the copy production job)
from .services.visits import digitisation, notify  # noqa: F401  (register the visit and digitisation hooks)


def _expire_and_remind() -> None:
    request_service.expire_and_remind()


def _purge_copies() -> None:
    reading.purge_copies()


def _expire_and_purge_copy_orders() -> None:
    copy_delivery.expire_and_purge()


for _task in (_expire_and_remind, _purge_copies, _expire_and_purge_copy_orders):
    if _task not in jobs.PERIODIC:
        jobs.PERIODIC.append(_task)


def _check_search_index() -> None:
    search.check_index()


# The worker's sweeper compares the index with the catalogue every SEARCH_CHECK_SECONDS.
if not any(entry[2] is _check_search_index for entry in jobs.SUPERVISED):
    jobs.SUPERVISED.append(("SEARCH_CHECK_SECONDS", 300, _check_search_index))
