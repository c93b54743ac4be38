"""B-T and B-LT against the loopback TSA/OCSP of the test PKI; refusals before writing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from signing.errors import PinError, SigningError
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext, SignRequest, sign_file
from signing.token import TokenSession, TokenSpec
from signing.trust import load_certs
from tests.signing.conftest import OFFICIAL_NAME, USER_PIN, PkiFixture, assert_pdfsig_valid, pdfsig
from tests.signing.helpers import settings_for
from tests.signing.pdfs import text_pdf


def _token(pki: PkiFixture, label: str) -> TokenSession:
    return TokenSession(
        TokenSpec(pki.module, pki.token_label, key_label=label), USER_PIN, chain=load_certs([pki.pki.chain])
    )


def test_b_t_has_a_signature_timestamp(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    before = pki.services.requests["tsa"]
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki, level="B-T"))
    with _token(pki, "official-rsa") as t:
        sign_file(src, out, t.signer, SignRequest(), ctx)
    assert pki.services.requests["tsa"] > before  # pyHanko also asks once to size the token
    vc = ValidationContext(trust_roots=load_certs([pki.root_pem]), allow_fetching=True)
    with out.open("rb") as fh:
        [sig] = PdfFileReader(fh).embedded_signatures
        status = validate_pdf_signature(sig, vc)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])


def test_b_lt_embeds_validation_data(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki, level="B-LT"))
    with _token(pki, "official-ec") as t:
        sign_file(src, out, t.signer, SignRequest(), ctx)
    with out.open("rb") as fh:
        reader = PdfFileReader(fh)
        dss = reader.root["/DSS"]
        assert len(dss["/Certs"]) >= 2
        assert "/OCSPs" in dss or "/CRLs" in dss
        [sig] = reader.embedded_signatures
        # validated offline: everything needed is in the file
        offline = DocumentSecurityStore.read_dss(reader).as_validation_context(
            {
                "trust_roots": load_certs([pki.root_pem]),
                "allow_fetching": False,
                "revocation_mode": "hard-fail",
            }
        )
        status = validate_pdf_signature(sig, offline)
        assert status.bottom_line, status.pretty_print_details()
        # the DSS is its own revision after the signature: only validation data was added
        assert status.modification_level == ModificationLevel.LTA_UPDATES
    out_text = pdfsig(pki.nss_dir, out)
    assert "Signature is Valid" in out_text and "Certificate is Trusted" in out_text
    assert "Common Name: Trần Thị Bình (TEST)" in out_text
    # PAdES B-LT appends the DSS after the signature, so poppler reports partial coverage
    assert "Not total document signed" in out_text


def test_b_t_without_tsa_is_refused_before_anything(pki: PkiFixture, tmp_path: Path) -> None:
    s = settings_for(tmp_path, pki)
    s.signing.level = "B-T"
    with pytest.raises(SigningError, match="dấu thời gian"):
        SigningContext.from_settings(s)


def test_unreachable_tsa_leaves_no_output(pki: PkiFixture, tmp_path: Path) -> None:
    s = settings_for(tmp_path, pki, level="B-T")
    s.signing.tsa_url = "http://127.0.0.1:9/tsa"
    ctx = SigningContext.from_settings(s)
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    with pytest.raises(SigningError):
        sign_file(src, out, seal, SignRequest(), ctx)
    assert list(tmp_path.glob("out.pdf*")) == [] and list(tmp_path.glob(".out.pdf*")) == []


def test_revoked_certificate_is_refused_before_signing(pki: PkiFixture, tmp_path: Path) -> None:
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    with _token(pki, "revoked") as t, pytest.raises(SigningError, match="thu hồi"):
        ctx.check_signer(t.signer)
    with _token(pki, "official-rsa") as t:
        ctx.check_signer(t.signer)  # a good certificate passes


def test_key_file_wrong_passphrase_and_expired(pki: PkiFixture) -> None:
    with pytest.raises(PinError) as info:
        load_pkcs12_signer(pki.seal_p12, "sai-mat-khau")
    assert "sai-mat-khau" not in str(info.value)
    with pytest.raises(SigningError, match="hết hạn"):
        load_pkcs12_signer(pki.pki.expired.p12, pki.passphrase)
