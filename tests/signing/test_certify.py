"""Certified e-copies: statement on the last page, two signatures, the act in the book."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.certify import STATEMENT, CertifyRequest, certify_file
from signing.errors import SigningError
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext
from signing.token import TokenSession, TokenSpec
from signing.trust import load_certs
from storage.db.certification import acts_of_book, ensure_tables
from storage.db.engine import read_session
from tests.db.fixtures import Database
from tests.signing.conftest import OFFICIAL_NAME, USER_PIN, PkiFixture, assert_pdfsig_valid
from tests.signing.helpers import ORG, pdftotext, settings_for
from tests.signing.pdfs import scan_pdf

BOOK = "01/2026-SCT/BS"


def _official(pki: PkiFixture) -> TokenSession:
    return TokenSession(
        TokenSpec(pki.module, pki.token_label, key_label="official-rsa"),
        USER_PIN,
        chain=load_certs([pki.pki.chain]),
    )


def test_certified_copy_end_to_end(pki: PkiFixture, db: Database, tmp_path: Path) -> None:
    ensure_tables(db.engine)
    src = scan_pdf(tmp_path / "giay-khai-sinh.pdf", pages=2)
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    req = CertifyRequest(book=BOOK, requester="Lê Thị Hoa", place="Tân Phú", certified_on=date(2026, 11, 21))
    with _official(pki) as t:
        first = certify_file(src, tmp_path / "copy1.pdf", t.signer, seal, req, ctx, db.engine)
        second = certify_file(src, tmp_path / "copy2.pdf", t.signer, seal, req, ctx, db.engine)
    assert (first.number.label, second.number.label) == ("1/ĐT", "2/ĐT")

    out = first.output
    # the scan is ink edge to edge (a frame and ruled lines): statement and stamps go on an
    # added page, in the official's revision, so both signatures cover it
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 3
    last_page = pdftotext(out, "-f", "3", "-l", "3")
    assert STATEMENT in last_page
    assert "Số chứng thực: 1/ĐT" in last_page
    assert f"Quyển số: {BOOK}" in last_page
    assert "Tân Phú, ngày 21 tháng 11 năm 2026" in last_page
    assert f"Người thực hiện chứng thực: {OFFICIAL_NAME}" in last_page
    assert STATEMENT not in pdftotext(out, "-f", "1", "-l", "2")

    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORG])
    vc = ValidationContext(trust_roots=load_certs([pki.root_pem]), allow_fetching=True)
    with out.open("rb") as fh:
        sigs = PdfFileReader(fh).embedded_signatures
        assert sigs[0].docmdp_level is not None  # the official certified the copy
        assert all(validate_pdf_signature(s, vc).bottom_line for s in sigs)

    with read_session(db.engine) as s:
        acts = acts_of_book(s, BOOK, 2026)
        assert [a.number for a in acts] == [1, 2]
        assert acts[0].requester == "Lê Thị Hoa" and acts[0].official == OFFICIAL_NAME
        assert acts[0].document_sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
        assert acts[0].output_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()


def test_failed_signing_takes_no_number_and_writes_nothing(
    pki: PkiFixture,
    db: Database,
    tmp_path: Path,
) -> None:
    ensure_tables(db.engine)
    src = scan_pdf(tmp_path / "in.pdf")
    s = settings_for(tmp_path, pki, level="B-T")
    s.signing.tsa_url = "http://127.0.0.1:9/tsa"  # nothing listens there
    ctx = SigningContext.from_settings(s)
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    req = CertifyRequest(book=BOOK, requester="Lê Thị Hoa", certified_on=date(2026, 11, 21))
    out = tmp_path / "copy.pdf"
    with _official(pki) as t, pytest.raises(SigningError):
        certify_file(src, out, t.signer, seal, req, ctx, db.engine)
    assert not out.exists() and not list(tmp_path.glob(".copy.pdf*"))
    with read_session(db.engine) as session:
        assert acts_of_book(session, BOOK, 2026) == []
    ok = SigningContext.from_settings(settings_for(tmp_path, pki))
    with _official(pki) as t:
        assert certify_file(src, out, t.signer, seal, req, ok, db.engine).number.number == 1
