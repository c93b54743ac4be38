"""``sohoa sign`` / ``sohoa certify`` as scripts drive them: exit codes, one-line errors, no leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from config.errors import ExitCode
from tests.signing.conftest import OFFICIAL_NAME, USER_PIN, WRONG_PIN_TOKEN, PkiFixture, assert_pdfsig_valid
from tests.signing.helpers import ORG, pdftotext
from tests.signing.pdfs import scan_pdf, text_pdf


def sohoa(pki: PkiFixture, tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "SOHOA_DATA_DIR": str(tmp / "data"),
        "SOHOA_SIGNING__ORGANISATION": ORG,
        "SOHOA_SIGNING__FONT": str(pki.font),
        "SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root_pem)]),
        "SOHOA_SIGNING__TSA_URL": pki.services.tsa_url,
        "SOHOA_DATABASE__URL": f"sqlite:///{tmp / 'book.db'}",
        "TOKEN_PIN": USER_PIN,
        "SEAL_PASS": pki.passphrase,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=300,
    )


def token_args(pki: PkiFixture, token: str | None = None) -> list[str]:
    return [
        "--pkcs11-module", pki.module, "--token-label", token or pki.token_label, "--key-id", "01",
        "--pin-env", "TOKEN_PIN", "--chain", str(pki.pki.chain),
    ]  # fmt: skip


def test_batch_official_certification_and_seal_one_login(pki: PkiFixture, tmp_path: Path) -> None:
    files = [text_pdf(tmp_path / f"qd{i}.pdf") for i in range(3)]
    res = sohoa(
        pki, tmp_path, "sign", *map(str, files), "--out-dir", str(tmp_path / "out"), *token_args(pki),
        "--certify", "--seal-pkcs12", str(pki.seal_p12), "--seal-pin-env", "SEAL_PASS", "--level", "B-T",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    for f in files:
        out = tmp_path / "out" / f.name
        assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORG])
        assert f"Ký bởi: {OFFICIAL_NAME}" in pdftotext(out)


def test_received_copy_stamp_is_top_right_of_page_one(pki: PkiFixture, tmp_path: Path) -> None:
    src = scan_pdf(tmp_path / "don.pdf", pages=2)
    out = tmp_path / "don-signed.pdf"
    res = sohoa(pki, tmp_path, "sign", str(src), "-o", str(out), *token_args(pki), "--received")
    assert res.returncode == 0, res.stderr
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])
    # crop the top-right quarter of page 1 (at 72 dpi: 297x421 of 595x842)
    corner = pdftotext(
        out, "-f", "1", "-l", "1", "-r", "72", "-x", "297", "-y", "0", "-W", "298", "-H", "200"
    )
    assert "Bản số hóa từ bản giấy" in corner and f"Ký bởi: {OFFICIAL_NAME}" in corner
    assert "Ký bởi" not in pdftotext(out, "-f", "2", "-l", "2")


def test_key_file_as_seal(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    res = sohoa(
        pki, tmp_path, "sign", str(src), "-o", str(out),
        "--pkcs12", str(pki.seal_p12), "--pin-env", "SEAL_PASS",
        "--role", "seal", "--level", "B-B",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert_pdfsig_valid(pki.nss_dir, out, [ORG])


def test_wrong_pin_is_one_clear_line_and_writes_nothing(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    res = sohoa(
        pki, tmp_path, "sign", str(src), "-o", str(out), *token_args(pki, WRONG_PIN_TOKEN), TOKEN_PIN="000111"
    )
    assert res.returncode == ExitCode.PIN
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert "Sai mã PIN" in res.stderr and "000111" not in res.stderr + res.stdout
    assert not out.exists() and list(tmp_path.glob(".out.pdf*")) == []


def test_wrong_passphrase(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    res = sohoa(
        pki, tmp_path, "sign", str(src), "-o", str(out),
        "--pkcs12", str(pki.seal_p12), "--pin-env", "SEAL_PASS",
        SEAL_PASS="khong-dung",
    )  # fmt: skip
    assert res.returncode == ExitCode.PIN and "khong-dung" not in res.stderr
    assert "Traceback" not in res.stderr and not out.exists()


def test_not_a_pdf(pki: PkiFixture, tmp_path: Path) -> None:
    bad, out = tmp_path / "bad.pdf", tmp_path / "out.pdf"
    bad.write_bytes(b"not a pdf at all")
    res = sohoa(pki, tmp_path, "sign", str(bad), "-o", str(out), *token_args(pki))
    assert res.returncode == ExitCode.INPUT_FILE, res.stderr
    assert "Traceback" not in res.stderr and not out.exists()
    assert bad.read_bytes() == b"not a pdf at all"


def test_two_signers_for_one_role_is_refused(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    res = sohoa(
        pki, tmp_path, "sign", str(src), "-o", str(out), "--pkcs12", str(pki.seal_p12), *token_args(pki)
    )
    assert res.returncode == ExitCode.TOKEN and "không cả hai" in res.stderr


def test_batch_with_one_bad_file_signs_the_others(pki: PkiFixture, tmp_path: Path) -> None:
    good = text_pdf(tmp_path / "good.pdf")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    res = sohoa(
        pki, tmp_path, "sign", str(good), str(bad), "--out-dir", str(tmp_path / "o"), *token_args(pki)
    )
    assert res.returncode == ExitCode.PARTIAL_BATCH
    assert (tmp_path / "o" / "good.pdf").exists() and not (tmp_path / "o" / "bad.pdf").exists()
    assert "bad.pdf" in res.stderr


def test_certify_command(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = scan_pdf(tmp_path / "bang-tot-nghiep.pdf"), tmp_path / "ban-sao.pdf"
    args = [
        "certify", str(src), "-o", str(out), "--book", "01/2026-SCT/BS", "--requester", "Lê Thị Hoa",
        "--seal-pkcs12", str(pki.seal_p12), "--seal-pin-env", "SEAL_PASS", "--place", "Tân Phú",
        "--date", "2026-11-21", *token_args(pki),
    ]  # fmt: skip
    res = sohoa(pki, tmp_path, *args)
    assert res.returncode == 0, res.stderr
    assert "Số chứng thực: 1/ĐT" in res.stdout
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORG])
    text = pdftotext(out)
    assert "Chứng thực bản sao đúng với bản chính" in text and "Quyển số: 01/2026-SCT/BS" in text


def test_pin_from_prompt(pki: PkiFixture, tmp_path: Path) -> None:
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    args = [a for a in token_args(pki) if a not in ("--pin-env", "TOKEN_PIN")]
    full = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_SIGNING__FONT": str(pki.font)}
    res = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "sign", str(src), "-o", str(out), *args],
        input=f"{USER_PIN}\n", capture_output=True, text=True, env=full, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert USER_PIN not in res.stdout + res.stderr  # the prompt does not echo it
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])
