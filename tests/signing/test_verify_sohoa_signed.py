"""Files made by ``sohoa sign`` at B-B, B-T and B-LT (the signing engineer's code) verify here.

End to end through the console scripts, with the test PKI's loopback TSA/CRL/OCSP: the signer
produces, :mod:`signing.verify` and poppler judge. B-LT must verify with the CA switched off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from signing.pdfsig import run_pdfsig
from signing.verify import verify_pdf
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    services_online_fixture,
    text_pdf_bytes,
)

SOHOA = Path(sys.executable).parent / "sohoa"
pytestmark = [
    pytest.mark.skipif(not SOHOA.exists(), reason="sohoa console script not installed"),
    pytest.mark.xdist_group("pki_env"),  # one worker runs every test on the shared PKI services
]


def _run_sohoa(tmp_path: Path, env_pki: PkiEnv, *args: str, **settings: str) -> None:
    """``sohoa ARGS`` signing with the test PKI's official (``--pkcs12``) and seal, keys by env."""
    pki = env_pki.pki
    env = {
        **os.environ,
        "PKI_PW": pki.passphrase,
        "SOHOA_DATA_DIR": str(tmp_path / "data"),
        "SOHOA_SIGNING__TSA_URL": pki.tsa_url or "",
        "SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root.cert)]),
        **settings,
    }
    keys = ["--pin-env", "PKI_PW", "--seal-pkcs12", str(pki.seal.p12), "--seal-pin-env", "PKI_PW"]
    res = subprocess.run([str(SOHOA), *args, *keys], capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr


def _sohoa_sign(tmp_path: Path, env_pki: PkiEnv, level: str) -> Path:
    pki = env_pki.pki
    src = tmp_path / f"in-{level}.pdf"
    src.write_bytes(text_pdf_bytes(pages=2))
    out = tmp_path / f"out-{level}.pdf"
    _run_sohoa(
        tmp_path,
        env_pki,
        "sign",
        str(src),
        "-o",
        str(out),
        "--level",
        level,
        "--pkcs12",
        str(pki.official_rsa.p12),
        SOHOA_SIGNING__REVOCATION="hard-fail",
    )
    return out


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
def test_sohoa_signed_file_verifies(
    tmp_path: Path, pki_env: PkiEnv, level: str, services_online: object
) -> None:
    out = _sohoa_sign(tmp_path, pki_env, level)
    pki = pki_env.pki
    # poppler first, while the OCSP responder is up (it insists on asking)
    result = run_pdfsig(out, pki_env.nss_dir)
    assert result.all_valid and len(result.signatures) == 2, result.output
    assert len(result.covering_file) == 1 or level == "B-LT", result.output

    report = verify_pdf(out, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert report.valid, report.reason
    assert [s.signer_name for s in report.signatures] == ["Nguyễn Văn An (TEST)", "UBND xã Tân Phú (TEST)"]
    assert {s.pades_level for s in report.signatures} == {level}
    if level != "B-B":
        assert all(s.timestamp_source == "tsa" and s.timestamp_trusted for s in report.signatures)
    if level == "B-LT":
        pki_env.services.offline = True
        offline = verify_pdf(out, trust_roots=pki.trust_roots, revocation="hard-fail", allow_fetching=False)
        assert offline.valid, offline.reason


def test_sohoa_certified_copy_verifies(tmp_path: Path, pki_env: PkiEnv) -> None:
    """``sohoa certify`` (statement, number, official certification + seal) at B-T."""
    pki = pki_env.pki
    src = tmp_path / "original-scan.pdf"
    src.write_bytes(text_pdf_bytes(pages=2))
    out = tmp_path / "ban-sao.pdf"
    _run_sohoa(
        tmp_path,
        pki_env,
        "certify",
        str(src),
        "-o",
        str(out),
        "--book",
        "01/2026-SCT/BS",
        "--requester",
        "Trần Văn Khách",
        "--level",
        "B-T",
        "--pkcs12",
        str(pki.official_ecdsa.p12),
    )
    report = verify_pdf(out, trust_roots=pki.trust_roots, revocation="hard-fail")
    assert report.valid, report.reason
    first, second = report.signatures
    assert first.kind == "certification" and first.signer_name == "Trần Thị Bình (TEST)"
    assert second.signer_name == "UBND xã Tân Phú (TEST)" and second.coverage == "ENTIRE_FILE"
    assert all(s.timestamp_source == "tsa" for s in report.signatures)
    result = run_pdfsig(out, pki_env.nss_dir)
    assert result.all_valid and len(result.covering_file) == 1, result.output
