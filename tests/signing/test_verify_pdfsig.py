"""The pdfsig helper: NSS database, parsing, and agreement with sohoa's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.pdfsig import make_nss_db, parse_pdfsig_output, run_pdfsig
from signing.testpki import create_test_pki
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")

# pdfsig 22.12 output for a certified file sealed afterwards (field order, not signing order)
SAMPLE = """Digital Signature Info of: out.pdf
Signature #1:
  - Signature Field Name: SealSig
  - Signer Certificate Common Name: UBND xã Tân Phú (TEST)
  - Signer full Distinguished Name: CN=UBND xã Tân Phú (TEST),OU=CHỈ DÙNG THỬ NGHIỆM (TEST ONLY),C=VN
  - Signing Time: Nov 21 2026 23:55:02
  - Signing Hash Algorithm: SHA-256
  - Signature Type: ETSI.CAdES.detached
  - Signed Ranges: [0 - 30000], [46386 - 47000]
  - Total document signed
  - Signature Validation: Signature is Valid.
  - Certificate Validation: Certificate is Trusted.
Signature #2:
  - Signature Field Name: Sig1
  - Signer Certificate Common Name: Nguyễn Văn An (TEST)
  - Signing Time: Nov 21 2026 23:55:01
  - Signed Ranges: [0 - 1018], [25188 - 25765]
  - Not total document signed
  - Signature Validation: Signature is Invalid.
  - Certificate Validation: Certificate has been Revoked.
"""


def test_parse_sample() -> None:
    seal, official = parse_pdfsig_output(SAMPLE)
    assert (seal.index, seal.field, seal.signer_name) == (1, "SealSig", "UBND xã Tân Phú (TEST)")
    assert seal.valid and seal.total_document_signed
    assert seal.ranges == [(0, 30000), (46386, 47000)]
    assert seal.signature_type == "ETSI.CAdES.detached"
    assert official.field == "Sig1" and not official.total_document_signed
    assert not official.signature_valid and not official.certificate_trusted
    assert official.certificate_status == "Certificate has been Revoked."
    assert parse_pdfsig_output("File 'x.pdf' does not contain any signatures\n") == []


def test_nss_db_trusts_only_given_roots(tmp_path: Path, pki_env: PkiEnv) -> None:
    other = create_test_pki(tmp_path / "other")
    pdf = tmp_path / "other.pdf"
    pdf.write_bytes(sign_bytes(text_pdf_bytes(), signer_for(other, other.seal)))
    untrusted = run_pdfsig(pdf, pki_env.nss_dir)
    assert untrusted.signatures[0].signature_valid and not untrusted.signatures[0].certificate_trusted
    nss = make_nss_db(tmp_path / "nss", other.trust_roots)
    assert make_nss_db(nss, other.trust_roots) == nss  # reusable
    trusted = run_pdfsig(pdf, nss)
    assert trusted.all_valid, trusted.output


def test_unsigned_pdf_has_no_signatures(tmp_path: Path, pki_env: PkiEnv) -> None:
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(text_pdf_bytes())
    result = run_pdfsig(pdf, pki_env.nss_dir)
    assert result.signatures == [] and not result.all_valid
