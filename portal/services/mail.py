"""Outgoing mail: SMTP when MAIL_SERVER is set, else ``.eml`` files in the outbox.

The outbox is how development and the tests see mail: every message is a
complete RFC 5322 file that any mail client can open.
"""
from __future__ import annotations

import smtplib
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, render_template

# Called after each message is delivered, with (to, subject, template, context). Modules that
# must know about every mail (the portal's notifications) register here; this module imports none.
AfterSend = Callable[[str, str, str, dict[str, Any]], None]
_after_send: list[AfterSend] = []


def after_send(hook: AfterSend) -> AfterSend:
    """Register ``hook`` to run after every mail sent (usable as a decorator; idempotent)."""
    if hook not in _after_send:
        _after_send.append(hook)
    return hook


def send_mail(to: str, subject: str, template: str, key: str | None = None,
              attachments: list[tuple[bytes, str, str, str]] | None = None, **context: object) -> EmailMessage:
    """Render ``template`` (a text template under ``templates/mail/``) and send it.

    ``key`` makes sending idempotent for a job that may run twice: the message's
    Message-ID is derived from it, and the outbox keeps one file per key (an SMTP
    server cannot be asked; receiving clients drop a repeated Message-ID).
    ``attachments``: (bytes, maintype, subtype, filename) each, e.g. a visit's ``.ics``.
    """
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<{key}@luutru.local>" if key else make_msgid(domain="luutru.local")
    context.setdefault("archive_name", current_app.config["ARCHIVE_NAME"])
    message.set_content(render_template(f"mail/{template}.txt", **context))
    for data, maintype, subtype, filename in attachments or ():
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    _deliver(message, key)
    for hook in _after_send:
        hook(to, subject, template, context)
    return message


def _deliver(message: EmailMessage, key: str | None = None) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
        return
    outbox = Path(config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    if key and any(outbox.glob(f"*-{key}.eml")):
        return  # already delivered by an earlier run of the same job
    name = f"{time.time_ns()}-{key or uuid.uuid4().hex[:8]}.eml"  # names sort by time
    tmp = outbox / f".{name}.tmp"
    tmp.write_bytes(bytes(message))
    tmp.replace(outbox / name)  # readers of the outbox never see half a message
