"""PAdES signing on SoftHSM (RSA, ECDSA) and with a key file, checked by pyHanko and pdfsig."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.appearance import StampKind
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext, SignRequest, sign_file
from signing.token import TokenSession, TokenSpec
from signing.trust import load_certs
from tests.signing.conftest import (
    EC_OFFICIAL_NAME,
    OFFICIAL_NAME,
    USER_PIN,
    PkiFixture,
    assert_pdfsig_valid,
)
from tests.signing.helpers import ORG, pdftotext, settings_for
from tests.signing.pdfs import scan_pdf, text_pdf

ISO_VN = re.compile(r"Thời gian ký: ?\n?(\d\d/\d\d/\d{4} \d\d:\d\d)")


def token(pki: PkiFixture, label: str) -> TokenSession:
    return TokenSession(
        TokenSpec(pki.module, pki.token_label, key_label=label), USER_PIN, chain=load_certs([pki.pki.chain])
    )


def pyhanko_status(pdf: Path, pki: PkiFixture) -> list:
    vc = ValidationContext(trust_roots=load_certs([pki.root_pem]), allow_fetching=True)
    with pdf.open("rb") as fh:
        reader = PdfFileReader(fh)
        return [validate_pdf_signature(sig, vc) for sig in reader.embedded_signatures]


@pytest.mark.parametrize(
    ("label", "name"), [("official-rsa", OFFICIAL_NAME), ("official-ec", EC_OFFICIAL_NAME)]
)
def test_token_signature_b_b(pki: PkiFixture, tmp_path: Path, label: str, name: str) -> None:
    src = text_pdf(tmp_path / "in.pdf", pages=2)
    out = tmp_path / "out.pdf"
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    with token(pki, label) as t:
        sign_file(src, out, t.signer, SignRequest(reason="Phê duyệt"), ctx)
    assert out.read_bytes().startswith(src.read_bytes())  # incremental: the original bytes are kept
    [status] = pyhanko_status(out, pki)
    assert status.bottom_line, status.pretty_print_details()
    assert_pdfsig_valid(pki.nss_dir, out, [name])
    text = pdftotext(out)
    assert f"Ký bởi: {name}" in text
    assert ORG in text
    m = ISO_VN.search(text)
    assert m, text
    # the stamp shows the signing time recorded in the signature itself, in +07:00, dd/mm/yyyy HH:MM
    with out.open("rb") as fh:
        signed_at = PdfFileReader(fh).embedded_signatures[0].self_reported_timestamp
    assert signed_at is not None
    assert (
        m.group(1)
        == signed_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M")
    )


def test_pkcs12_seal_stamp_shows_organisation(pki: PkiFixture, tmp_path: Path) -> None:
    src = scan_pdf(tmp_path / "in.pdf")
    out = tmp_path / "out.pdf"
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    sign_file(src, out, seal, SignRequest(stamp=StampKind.SEAL), ctx)
    assert_pdfsig_valid(pki.nss_dir, out, [ORG])
    text = pdftotext(out)
    assert ORG in text and ISO_VN.search(text), text
    # the seal image is embedded in the appearance
    assert b"/SMask" in out.read_bytes() or b"/Subtype /Image" in out.read_bytes()
