"""Registers background job handlers and periodic housekeeping (imported by the factory)."""
from __future__ import annotations

from . import jobs
from .services import reading  # noqa: F401  (registers the reading-copy build job)
from .services import requests as request_service
from .services import search  # noqa: F401  (registers the search index job)
from .services.visits import digitisation, notify  # noqa: F401  (register the visit and digitisation hooks)


def _expire_and_remind() -> None:
    request_service.expire_and_remind()


def _purge_copies() -> None:
    reading.purge_copies()


for _task in (_expire_and_remind, _purge_copies):
    if _task not in jobs.PERIODIC:
        jobs.PERIODIC.append(_task)
