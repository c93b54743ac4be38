"""Refuse a signing certificate that cannot make a valid signature, before anything is written.

A signature made with an expired certificate or one without the signing key usage is rejected
by every validator later; catching it here spares the clerk a useless file and a token login.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

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


# How Vietnamese public CAs mark who a certificate identifies: the subject's UID (or serialNumber)
# holds a prefixed number, "CMND:", "CCCD:" or "HC:" (identity card, citizen identity, passport)
# for a person, "MST:" (tax code) or "MNS:" (budget-relationship code) and similar for an
# organisation. The government CA (Ban Cơ yếu) often writes none: its agency certificates name the
# agency in both CN and O (CN=CHÍNH PHỦ, O=CHÍNH PHỦ), its officials' put the person in CN.
PERSONAL_ID_PREFIXES = ("CMND", "CCCD", "CC", "HC", "CMT")
ORGANISATION_ID_PREFIXES = ("MST", "MNS", "MDV", "QĐ", "QD", "GP")
# Attributes only a person's certificate carries (a job title names a person's position).
PERSONAL_ATTRIBUTES = ("given_name", "surname", "pseudonym", "title", "initials")

HolderKind = Literal["organisation", "person"]


def _values(native: object) -> list[str]:
    if native is None:
        return []
    items = native if isinstance(native, list) else [native]
    return [str(v).strip() for v in items if str(v).strip()]


def _prefix(value: str) -> str:
    head, sep, _rest = value.partition(":")
    return head.strip().upper() if sep else ""


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def holder_kind(cert: x509.Certificate) -> HolderKind:
    """Whether ``cert`` identifies an organisation (a seal) or a person, as VN CAs issue them.

    An organisation certificate names an organisation (O) and no person: no personal
    identifier, no person's attribute, and either an organisation identifier (MST, MNS…) or a
    common name that is the organisation itself. Anything else counts as a person's: a seal
    must not be a person's token, so the doubtful case is refused, not accepted.
    """
    native = cert.subject.native
    ids = _values(native.get("user_id")) + _values(native.get("serial_number"))
    prefixes = {_prefix(v) for v in ids}
    if prefixes & set(PERSONAL_ID_PREFIXES) or any(native.get(a) for a in PERSONAL_ATTRIBUTES):
        return "person"
    organisations = _values(native.get("organization_name"))
    if not organisations:
        return "person"
    if prefixes & set(ORGANISATION_ID_PREFIXES):
        return "organisation"
    names = _values(native.get("common_name"))
    if not names or any(_same_name(n, o) for n in names for o in organisations):
        return "organisation"
    return "person"
