"""Checking the archive's signature on an uploaded copy: pure pyHanko, no Flask.

:func:`check_signature` answers with one of the :class:`Verdict` codes; the
verification service turns a code into words for the public page.
"""
from __future__ import annotations

import enum
import io
import re
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

ORDER_CODE = re.compile(r"SC-\d{4}-\d{6}")


class Verdict(str, enum.Enum):
    VALID = "valid"
    NOT_PDF = "not_pdf"
    NO_SIGNATURE = "no_signature"
    MANY_SIGNATURES = "many_signatures"
    BROKEN = "broken"  # the signed bytes were changed
    CHANGED_AFTER = "changed_after"  # something was added after signing (pages, annotations)
    UNTRUSTED = "untrusted"  # signed, but not by a certificate of the archive's trust root
    NO_CODE = "no_code"  # signed by us, but no order code in it


@dataclass(frozen=True)
class SignatureResult:
    verdict: Verdict
    signer: str = ""
    signed_at: datetime | None = None
    order_code: str = ""
    detail: str = ""


def check_signature(data: bytes, roots: list[asn1_x509.Certificate]) -> SignatureResult:
    """Validate the one signature of ``data`` against ``roots``: intact, trusted, covering the whole file."""
    if not data.startswith(b"%PDF-"):
        return SignatureResult(Verdict.NOT_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure: not a readable PDF
        return SignatureResult(Verdict.NOT_PDF, detail=type(exc).__name__)
    if not signatures:
        return SignatureResult(Verdict.NO_SIGNATURE)
    if len(signatures) > 1:
        return SignatureResult(Verdict.MANY_SIGNATURES)
    embedded = signatures[0]
    try:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=roots, allow_fetching=False))
    except (SignatureValidationError, ValueError, KeyError) as exc:
        return SignatureResult(Verdict.BROKEN, detail=str(exc)[:200])
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    signed_at = status.signer_reported_dt
    if not status.intact or not status.valid:
        return SignatureResult(Verdict.BROKEN, signer, signed_at)
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return SignatureResult(Verdict.CHANGED_AFTER, signer, signed_at, detail=str(status.coverage))
    if not status.trusted:
        return SignatureResult(Verdict.UNTRUSTED, signer, signed_at)
    code = _order_code(reader)
    if not code:
        return SignatureResult(Verdict.NO_CODE, signer, signed_at)
    return SignatureResult(Verdict.VALID, signer, signed_at, code)


def _order_code(reader: PdfFileReader) -> str:
    info = reader.trailer_view.get("/Info")
    info = info.get_object() if info is not None else None
    title = str(info.get("/Title", "")) if info is not None else ""
    match = ORDER_CODE.search(title)
    return match.group(0) if match else ""
