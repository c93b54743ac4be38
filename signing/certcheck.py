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


def organisation_gap(cert: x509.Certificate) -> str | None:
    """What keeps ``cert`` from counting as an organisation's certificate, in Vietnamese (with
    the English gist), or ``None`` when it is one (see :func:`holder_kind`)."""
    native = cert.subject.native
    ids = _values(native.get("user_id")) + _values(native.get("serial_number"))
    personal = sorted({_prefix(v) for v in ids} & set(PERSONAL_ID_PREFIXES))
    if personal:
        return (
            f"chứng thư ghi số định danh cá nhân ({', '.join(personal)}) nên là của một người "
            "(personal identifier)"
        )
    attributes = [a for a in PERSONAL_ATTRIBUTES if native.get(a)]
    if attributes:
        return f"chứng thư ghi họ tên, chức danh của một người (person's attributes: {', '.join(attributes)})"
    organisations = _values(native.get("organization_name"))
    if not organisations:
        return "chứng thư không ghi tên cơ quan, tổ chức (no organisation name, O)"
    if {_prefix(v) for v in ids} & set(ORGANISATION_ID_PREFIXES):
        return None
    names = _values(native.get("common_name"))
    if not names or any(_same_name(n, o) for n in names for o in organisations):
        return None
    return (
        f"tên trên chứng thư (CN: {names[0]}) khác tên cơ quan (O: {organisations[0]}) và chứng thư "
        "không có mã số của cơ quan, tổ chức (MST:, MNS: trong UID hoặc serialNumber) (common name "
        "is not the organisation and no organisation identifier)"
    )


def holder_kind(cert: x509.Certificate) -> HolderKind:
    """Whether ``cert`` identifies an organisation (a seal) or a person, as VN CAs issue them.

    An organisation certificate names an organisation (O) and no person: no personal
    identifier, no person's attribute, and either an organisation identifier (MST, MNS…) or a
    common name that is the organisation itself. Anything else counts as a person's: a seal
    must not be a person's token, so the doubtful case is refused, not accepted.
    """
    return "organisation" if organisation_gap(cert) is None else "person"


def seal_refusal(signer: str | None, gap: str | None) -> str:
    """The one refusal of a seal made with a certificate that is not an organisation's."""
    why = f": {gap}" if gap else ""
    return (
        "Chứng thư số đóng dấu phải là chứng thư số của cơ quan, tổ chức, không phải của cá nhân"
        f"{why} (the seal's certificate is not an organisation certificate): {signer or ''}"
    ).strip()


def check_seal_certificate(cert: x509.Certificate | None) -> None:
    """Refuse to seal with ``cert`` unless it is an organisation's (:func:`holder_kind`).

    Called wherever sohoa makes a seal (``signing.pades.sign_bytes`` with the seal stamp: the
    CLI's ``--seal-pkcs12``, ``sohoa certify``, the signing agent and ``sohoa sign-client``) and,
    with the verification report's ``signer_kind_gap``, where the server files an uploaded seal.
    """
    if cert is None:
        raise SigningError("Không đọc được chứng thư số của con dấu (the seal has no certificate)")
    gap = organisation_gap(cert)
    if gap is not None:
        raise SigningError(seal_refusal(subject_name(cert), gap))
