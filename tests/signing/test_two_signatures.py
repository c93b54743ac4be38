"""The official's certification then the organisation seal; repair of malformed unsigned input."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing.appearance import StampKind
from signing.errors import InputPdfError, SigningError
from signing.keyfile import load_pkcs12_signer
from signing.pades import SEAL_FIELD, SigningContext, SignRequest, sign_bytes, sign_file
from signing.repair import prepare_for_signing
from signing.token import TokenSession, TokenSpec
from signing.trust import load_certs
from tests.signing.conftest import OFFICIAL_NAME, USER_PIN, PkiFixture, assert_pdfsig_valid
from tests.signing.helpers import ORG, pdftotext, settings_for
from tests.signing.pdfs import break_xref_generation, scan_pdf, text_pdf


def _statuses(pdf: Path, pki: PkiFixture) -> list:
    vc = ValidationContext(trust_roots=load_certs([pki.root_pem]), allow_fetching=True)
    with pdf.open("rb") as fh:
        return [validate_pdf_signature(s, vc) for s in PdfFileReader(fh).embedded_signatures]


def _official(pki: PkiFixture) -> TokenSession:
    return TokenSession(
        TokenSpec(pki.module, pki.token_label, key_id="01"), USER_PIN, chain=load_certs([pki.pki.chain])
    )


def test_certification_then_seal_both_valid(pki: PkiFixture, tmp_path: Path) -> None:
    src = scan_pdf(tmp_path / "in.pdf", pages=2)
    mid, out = tmp_path / "official.pdf", tmp_path / "sealed.pdf"
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    with _official(pki) as t:
        sign_file(src, mid, t.signer, SignRequest(certify=True, reserve_seal_field=True), ctx)
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    sign_file(mid, out, seal, SignRequest(stamp=StampKind.SEAL), ctx)

    data = out.read_bytes()
    assert data.startswith(mid.read_bytes())  # the seal is appended, the certified revision untouched
    first, second = _statuses(out, pki)
    assert first.docmdp_ok and first.bottom_line, first.pretty_print_details()
    assert first.modification_level <= ModificationLevel.FORM_FILLING
    assert second.bottom_line and second.coverage.name == "ENTIRE_FILE"
    with out.open("rb") as fh:
        reader = PdfFileReader(fh)
        names = [s.field_name for s in reader.embedded_signatures]
        assert reader.embedded_signatures[0].docmdp_level is not None
    assert names == ["Sig1", SEAL_FIELD]
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORG])
    text = pdftotext(out)
    assert f"Ký bởi: {OFFICIAL_NAME}" in text and text.count(ORG) >= 2


def test_seal_on_certified_document_without_reserved_field_is_refused(
    pki: PkiFixture, tmp_path: Path
) -> None:
    """Adding a new widget after a certification breaks DocMDP: refuse instead of writing it."""
    mid, out = tmp_path / "official.pdf", tmp_path / "sealed.pdf"
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    with _official(pki) as t:
        sign_file(text_pdf(tmp_path / "in.pdf"), mid, t.signer, SignRequest(certify=True), ctx)
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    with pytest.raises(SigningError, match="DocMDP"):
        sign_file(mid, out, seal, SignRequest(stamp=StampKind.SEAL), ctx)
    assert not out.exists()


def test_malformed_unsigned_input_is_repaired_before_signing(pki: PkiFixture, tmp_path: Path) -> None:
    broken = break_xref_generation(text_pdf(tmp_path / "ok.pdf"), tmp_path / "broken.pdf")
    with broken.open("rb") as fh, pytest.raises(Exception):  # noqa: B017 - pyHanko's own error types vary
        PdfFileReader(fh, strict=True).root  # noqa: B018
    prepared = prepare_for_signing(broken.read_bytes())
    assert prepared.repaired
    out = tmp_path / "signed.pdf"
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    sign_file(
        broken,
        out,
        seal,
        SignRequest(stamp=StampKind.SEAL),
        SigningContext.from_settings(settings_for(tmp_path, pki)),
    )
    assert_pdfsig_valid(pki.nss_dir, out, [ORG])
    assert "Quyet dinh so 1" in pdftotext(out)


def test_malformed_signed_input_is_never_rewritten(pki: PkiFixture, tmp_path: Path) -> None:
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    # a classic-xref input, signed, then its first xref entry damaged like a scanner would
    plain = break_xref_generation(text_pdf(tmp_path / "ok.pdf"), tmp_path / "classic.pdf")
    plain.write_bytes(plain.read_bytes().replace(b"0000000000 65536 f", b"0000000000 65535 f"))
    signed = sign_bytes(plain.read_bytes(), seal, SignRequest(stamp=StampKind.SEAL), ctx)
    damaged = signed.replace(b"0000000000 65535 f", b"0000000000 65536 f", 1)
    assert damaged != signed
    src, out = tmp_path / "signed-broken.pdf", tmp_path / "out.pdf"
    src.write_bytes(damaged)
    with pytest.raises(InputPdfError, match="đã có chữ ký số"):
        sign_file(src, out, seal, SignRequest(stamp=StampKind.SEAL), ctx)
    assert not out.exists()
    assert src.read_bytes() == damaged


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "không phải là tệp PDF"), (b"hello", "không phải là tệp PDF"), (b"%PDF-1.7\n garbage", "Không")],
)
def test_bad_input_is_a_clear_error(pki: PkiFixture, tmp_path: Path, content: bytes, fragment: str) -> None:
    src, out = tmp_path / "bad.pdf", tmp_path / "out.pdf"
    src.write_bytes(content)
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    with pytest.raises(InputPdfError, match=fragment):
        sign_file(src, out, seal, SignRequest(), SigningContext.from_settings(settings_for(tmp_path, pki)))
    assert not out.exists()
