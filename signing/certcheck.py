"""Refuse a signing certificate that cannot make a valid signature, before anything is written.

A signature made with an expired certificate or one without the signing key usage is rejected
by every validator later; catching it here spares the clerk a useless file and a token login.
"""

from __future__ import annotations

import datetime as dt

from asn1crypto import x509

from signing.errors import SigningError

SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})


def subject_name(cert: x509.Certificate) -> str:
    """The common name (falls back to the whole subject) as staff know the signer."""
    native = cert.subject.native
    return str(native.get("common_name") or cert.subject.human_friendly)


def check_signing_cert(cert: x509.Certificate, now: dt.datetime | None = None) -> None:
    """Raise :class:`SigningError` if ``cert`` is outside its validity or lacks a signing usage."""
    now = now or dt.datetime.now(dt.UTC)
    who = subject_name(cert)
    not_before = cert["tbs_certificate"]["validity"]["not_before"].native
    not_after = cert["tbs_certificate"]["validity"]["not_after"].native
    if now < not_before:
        raise SigningError(
            f"Chứng thư số của '{who}' chưa có hiệu lực (từ {not_before:%Y-%m-%d}) "
            "(certificate not yet valid)"
        )
    if now > not_after:
        raise SigningError(
            f"Chứng thư số của '{who}' đã hết hạn ngày {not_after:%Y-%m-%d} (certificate expired)"
        )
    usage = cert.key_usage_value
    if usage is not None and not (set(usage.native) & SIGNING_USAGES):
        raise SigningError(
            f"Chứng thư số của '{who}' không được phép dùng để ký "
            "(certificate lacks digitalSignature/nonRepudiation key usage)"
        )
