"""The archive's digital signature on certified copies (PAdES, pyHanko) and the certificate it uses.

Production: ``COPY_SIGNING_P12`` (a PKCS#12 file), ``COPY_SIGNING_PASSWORD`` and
``COPY_TRUST_ROOTS`` (PEM file of the issuing CA, what verification trusts) come from
the environment; ``COPY_TSA_URL`` adds a timestamp. Development and tests: a test CA
and an archive certificate are generated once into ``instance/signing/`` with
"THỬ NGHIỆM" in their subjects, so nobody can take a test copy for a real one.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps

TEST_PASSWORD = "thu-nghiem"  # the generated test certificate only; a real one's password comes from the environment
TEST_MARK = "THỬ NGHIỆM"


class SigningUnavailable(RuntimeError):
    """No certificate is configured (production without COPY_SIGNING_P12)."""


@dataclass(frozen=True)
class SigningSetup:
    p12: Path
    password: str
    trust_roots: Path
    tsa_url: str | None


def _name(common: str, archive: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, archive[:64]),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{TEST_MARK} - không có giá trị pháp lý"),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])


def generate_test_certificate(folder: Path, archive: str) -> SigningSetup:
    """A test CA and an archive signing certificate issued by it, written into ``folder``.

    Both subjects say THỬ NGHIỆM (test). RSA 2048 and SHA-256, which every validator
    (pyHanko, poppler's pdfsig, Acrobat) understands.
    """
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(days=1)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(f"CA {TEST_MARK} - Phòng đọc trực tuyến", archive)
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name(f"Ký bản sao lưu trữ ({TEST_MARK})", archive))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        b"archive", key, cert, [ca_cert], serialization.BestAvailableEncryption(TEST_PASSWORD.encode()))
    ca_path, p12_path = folder / "test-ca.pem", folder / "archive-test.p12"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    p12_path.write_bytes(p12)
    p12_path.chmod(0o600)
    return SigningSetup(p12_path, TEST_PASSWORD, ca_path, None)


def signing_setup() -> SigningSetup:
    """The configured certificate; outside production, the test one (generated on first use)."""
    config = current_app.config
    if config.get("COPY_SIGNING_P12"):
        return SigningSetup(Path(config["COPY_SIGNING_P12"]), config.get("COPY_SIGNING_PASSWORD") or "",
                            Path(config["COPY_TRUST_ROOTS"]), config.get("COPY_TSA_URL") or None)
    if config["ENV_NAME"] == "production":
        raise SigningUnavailable("COPY_SIGNING_P12 is not set (see README, Certified copies)")
    folder = Path(config.get("COPY_SIGNING_DIR") or Path(current_app.instance_path) / "signing")
    if not (folder / "archive-test.p12").exists():
        # Generated beside the folder and renamed into place: two processes starting at once
        # cannot end up with a CA from one and a certificate from the other.
        staging = folder.with_name(f".{folder.name}-{os.getpid()}-{secrets.token_hex(4)}")
        generate_test_certificate(staging, config["ARCHIVE_NAME"])
        try:
            staging.rename(folder)
        except OSError:  # another process won
            shutil.rmtree(staging, ignore_errors=True)
    return SigningSetup(folder / "archive-test.p12", TEST_PASSWORD, folder / "test-ca.pem", None)


def trust_roots(setup: SigningSetup) -> list[asn1_x509.Certificate]:
    """The certificates verification trusts (every certificate in the PEM file)."""
    roots = []
    for cert in x509.load_pem_x509_certificates(setup.trust_roots.read_bytes()):
        roots.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
    return roots


@lru_cache(maxsize=4)
def _signer(p12: Path, _mtime_ns: int, password: str) -> signers.SimpleSigner:
    """The signer from the PKCS#12 file, loaded once per process (checking an RSA key takes most of a
    second); a replaced file (another modification time) is loaded again."""
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(p12), passphrase=password.encode())
    if signer is None:
        raise SigningUnavailable("the PKCS#12 file could not be opened (wrong password?)")
    return signer


def sign_pdf(setup: SigningSetup, path: Path, *, reason: str, location: str, name: str) -> None:
    """Sign the PDF at ``path`` in place with an invisible PAdES signature.

    The signature is an incremental update appended to the file, so a large copy is
    neither rewritten nor held in memory. Give it a file of your own (production signs
    the freshly built copy before moving it into place).
    """
    signer = _signer(setup.p12, setup.p12.stat().st_mtime_ns, setup.password)
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKyLuuTru", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=name)
    timestamper = timestamps.HTTPTimeStamper(setup.tsa_url) if setup.tsa_url else None
    with path.open("r+b") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(
            writer, in_place=True, chunk_size=1 << 20,
            # Room for the CMS (certificates, signature, a timestamp token) given up front:
            # pyHanko would otherwise sign once more, as a dry run, only to measure it.
            bytes_reserved=32768 if timestamper else 16384)
