"""Registers background job handlers and periodic housekeeping (imported by the factory)."""
from __future__ import annotations

from . import jobs
from .services import requests as request_service


def _expire_and_remind() -> None:
    request_service.expire_and_remind()


if _expire_and_remind not in jobs.PERIODIC:
    jobs.PERIODIC.append(_expire_and_remind)
