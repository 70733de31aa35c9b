"""Outgoing mail: SMTP when MAIL_SERVER is set, else ``.eml`` files in the outbox.

The outbox is how development and the tests see mail: every message is a
complete RFC 5322 file that any mail client can open.
"""
from __future__ import annotations

import smtplib
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template


def send_mail(to: str, subject: str, template: str, attachments: list[tuple[bytes, str, str, str]] | None = None,
              **context: object) -> EmailMessage:
    """Render ``template`` (a text template under ``templates/mail/``) and send it.

    ``attachments``: (bytes, maintype, subtype, filename) each, e.g. a visit's ``.ics``.
    """
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="luutru.local")
    context.setdefault("archive_name", current_app.config["ARCHIVE_NAME"])
    message.set_content(render_template(f"mail/{template}.txt", **context))
    for data, maintype, subtype, filename in attachments or ():
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    _deliver(message)
    return message


def _deliver(message: EmailMessage) -> None:
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
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"  # names sort by time
    tmp = outbox / f".{name}.tmp"
    tmp.write_bytes(bytes(message))
    tmp.replace(outbox / name)  # readers of the outbox never see half a message
