"""Organisation or person, as Vietnamese CAs issue certificates: the real government signers
(the Government's seal, a Deputy Prime Minister, the e-portal with MNS/MST), the test PKI, and
subjects built with each kind of identifier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.certcheck import check_seal_certificate, holder_kind, organisation_gap
from signing.errors import SigningError
from tests.signing.conftest import PkiFixture

REAL = Path(__file__).resolve().parents[1] / "data" / "real_gov"
UID = x509.ObjectIdentifier("0.9.2342.19200300.100.1.1")


def _real_signers() -> list[tuple[str, str]]:
    found = []
    for name in ("nd-49-2026-ND-CP.pdf", "nd-50-2026-ND-CP.pdf", "cttdt-chinhphu-scan-3p-2026-06.pdf"):
        with open(REAL / name, "rb") as fh:
            for emb in PdfFileReader(fh, strict=False).embedded_signatures:
                cert = emb.signer_cert
                found.append((str(cert.subject.native["common_name"]), holder_kind(cert)))
    return found


def test_real_government_signers() -> None:
    kinds = dict(_real_signers())
    assert kinds == {
        "CHÍNH PHỦ": "organisation",  # CN = O, no identifier (the government CA's agency certificate)
        "Trần Hồng Hà": "person",  # O = CHÍNH PHỦ, but the CN is a person
        "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ": "organisation",  # MNS: and MST: identifiers
    }


def test_test_pki_seal_is_the_only_organisation(pki: PkiFixture) -> None:
    for name in ("seal", "official_rsa", "official_ecdsa"):
        cert = asn1_x509.Certificate.load(pki.pki.identity(name).cert_der.read_bytes())
        assert holder_kind(cert) == ("organisation" if name == "seal" else "person"), name


def _cert(*attrs: tuple[x509.ObjectIdentifier, str]) -> asn1_x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs])
    now = dt.datetime.now(dt.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return asn1_x509.Certificate.load(built.public_bytes(serialization.Encoding.DER))


ORG, CN, SN, T = NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME, NameOID.SERIAL_NUMBER, NameOID.TITLE


@pytest.mark.parametrize(
    ("attrs", "kind"),
    [
        (((ORG, "UBND xã Tân Phú"), (CN, "Văn thư UBND xã"), (UID, "MST:3600123456")), "organisation"),
        (((ORG, "UBND xã Tân Phú"), (CN, "UBND XÃ TÂN PHÚ")), "organisation"),
        (((ORG, "UBND xã Tân Phú"), (CN, "Nguyễn Văn An"), (UID, "CCCD:027095001234")), "person"),
        (((ORG, "UBND xã Tân Phú"), (CN, "UBND xã Tân Phú"), (UID, "CMND:271234567")), "person"),
        (((ORG, "UBND xã Tân Phú"), (CN, "UBND xã Tân Phú"), (SN, "HC:B1234567")), "person"),
        (((ORG, "UBND xã Tân Phú"), (CN, "UBND xã Tân Phú"), (T, "Chủ tịch")), "person"),
        (((ORG, "UBND xã Tân Phú"), (CN, "Nguyễn Văn An")), "person"),  # no identifier: doubtful
        (((CN, "UBND xã Tân Phú"), (UID, "MST:3600123456")), "person"),  # no organisation named
    ],
)
def test_identifiers_and_names(attrs: tuple[tuple[x509.ObjectIdentifier, str], ...], kind: str) -> None:
    assert holder_kind(_cert(*attrs)) == kind


@pytest.mark.parametrize(
    ("attrs", "lacks"),
    [
        # a unit's seal named after the unit, not the organisation, and no MST/MNS: still refused,
        # and the refusal names both names and the missing identifier
        (
            ((ORG, "UBND xã Tân Phú"), (CN, "Văn phòng UBND xã")),
            ["CN: Văn phòng UBND xã", "O: UBND xã Tân Phú", "MST", "MNS"],
        ),
        (((ORG, "UBND xã Tân Phú"), (CN, "UBND xã Tân Phú"), (UID, "CCCD:027095001234")), ["CCCD"]),
        (((ORG, "UBND xã Tân Phú"), (CN, "UBND xã Tân Phú"), (T, "Chủ tịch")), ["chức danh"]),
        (((CN, "UBND xã Tân Phú"), (UID, "MST:3600123456")), ["không ghi tên cơ quan"]),
    ],
)
def test_a_refused_seal_says_what_the_certificate_lacks(
    attrs: tuple[tuple[x509.ObjectIdentifier, str], ...], lacks: list[str]
) -> None:
    cert = _cert(*attrs)
    with pytest.raises(SigningError) as refused:
        check_seal_certificate(cert)
    message = refused.value.message
    assert "phải là chứng thư số của cơ quan, tổ chức" in message
    for words in lacks:
        assert words in message, message
    assert "027095001234" not in message  # the identifier's kind, never a citizen's number
    assert organisation_gap(cert) is not None and holder_kind(cert) == "person"


def test_an_organisation_certificate_seals() -> None:
    cert = _cert((ORG, "UBND xã Tân Phú"), (CN, "Văn thư UBND xã"), (UID, "MST:3600123456"))
    check_seal_certificate(cert)
    assert organisation_gap(cert) is None
