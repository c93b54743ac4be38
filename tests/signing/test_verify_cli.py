"""``sohoa verify``: JSON and Vietnamese output, exit codes, trust roots from flags and settings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from config.errors import ExitCode, SohoaError
from pipeline.cli.verify_cmd import register_verify
from tests.signing.pki_fixtures import (  # noqa: F401 - fixtures are found by their names
    PkiEnv,
    pki_env_fixture,
    sign_bytes,
    signer_for,
    text_pdf_bytes,
)

# One worker runs every test on the shared PKI services: their session fixtures start once.
pytestmark = pytest.mark.xdist_group("pki_env")


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register_verify(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:  # a second command keeps typer in multi-command mode, like sohoa
        return None

    return app


@pytest.fixture
def files(tmp_path: Path, pki_env: PkiEnv) -> dict[str, Path]:
    pki = pki_env.pki
    good = tmp_path / "good.pdf"
    good.write_bytes(sign_bytes(text_pdf_bytes(), signer_for(pki, pki.official_rsa)))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good.read_bytes() + b"\nhidden junk\n")
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(text_pdf_bytes())
    return {"good": good, "bad": bad, "unsigned": unsigned}


class _Result:
    def __init__(self, exit_code: int, stdout: str, exception: BaseException | None) -> None:
        self.exit_code, self.stdout, self.exception = exit_code, stdout, exception
        self.output = stdout


def _run(app: typer.Typer, *args: str, env: dict[str, str] | None = None) -> _Result:
    """Invoke like ``pipeline.cli.main`` does: a SohoaError becomes its exit code."""
    res = CliRunner().invoke(app, ["verify", *args], env=env)
    if isinstance(res.exception, SohoaError):
        return _Result(int(res.exception.exit_code), res.stdout, res.exception)
    return _Result(res.exit_code, res.stdout, res.exception)


def test_json_valid_exit_zero(app: typer.Typer, files: dict[str, Path], pki_env: PkiEnv) -> None:
    res = _run(app, str(files["good"]), "--json", "--trust", str(pki_env.pki.root.cert))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["valid"] is True
    assert doc["signatures"][0]["signer"].startswith("CN=Nguyễn Văn An (TEST)")
    assert doc["signatures"][0]["timestamp"].endswith("+07:00")


def test_invalid_exits_with_verification_code(
    app: typer.Typer, files: dict[str, Path], pki_env: PkiEnv
) -> None:
    root = str(pki_env.pki.root.cert)
    res = _run(app, str(files["bad"]), "--json", "--trust", root)
    assert res.exit_code == int(ExitCode.VERIFICATION)
    assert json.loads(res.stdout)["valid"] is False
    res = _run(app, str(files["unsigned"]), "--trust", root)
    assert res.exit_code == int(ExitCode.VERIFICATION)
    assert "không có chữ ký" in res.stdout


def test_human_summary_is_vietnamese(app: typer.Typer, files: dict[str, Path], pki_env: PkiEnv) -> None:
    res = _run(app, str(files["good"]), "--trust", str(pki_env.pki.root.cert))
    assert res.exit_code == 0
    assert "HỢP LỆ" in res.stdout and "Nguyễn Văn An (TEST)" in res.stdout
    assert "toàn vẹn (intact): có" in res.stdout
    res = _run(app, str(files["bad"]), "--trust", str(pki_env.pki.root.cert))
    assert "KHÔNG HỢP LỆ" in res.stdout and "lý do" in res.stdout


def test_trust_roots_from_settings(app: typer.Typer, files: dict[str, Path], pki_env: PkiEnv) -> None:
    env = {"SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki_env.pki.root.cert)])}
    res = _run(app, str(files["good"]), "--json", env=env)
    assert res.exit_code == 0, res.output
    # without any root the command refuses with the input-error code, not a traceback
    # (issue 12: only once the shipped Vietnamese list is switched off too)
    no_roots = {"SOHOA_SIGNING__TRUST_ROOTS": "[]", "SOHOA_SIGNING__TRUST_SHIPPED": "false"}
    res = _run(app, str(files["good"]), env=no_roots)
    assert res.exit_code != 0
    assert res.exception is not None and "chứng thư gốc" in str(res.exception)
    # with the shipped list only, the test PKI is simply not trusted
    res = _run(app, str(files["good"]), "--json", env={"SOHOA_SIGNING__TRUST_ROOTS": "[]"})
    assert res.exit_code == int(ExitCode.VERIFICATION)
    doc = json.loads(res.stdout)
    assert doc["signatures"][0]["status"] == "untrusted" and "vn-national-root" in doc["trust_anchors"]


def test_bad_revocation_option(app: typer.Typer, files: dict[str, Path], pki_env: PkiEnv) -> None:
    res = _run(app, str(files["good"]), "--revocation", "sometimes", "--trust", str(pki_env.pki.root.cert))
    assert res.exit_code == 2


def _sohoa() -> list[str] | None:
    exe = Path(sys.executable).parent / "sohoa"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("sohoa")
    return [found] if found else None


def test_sohoa_console_script(files: dict[str, Path], pki_env: PkiEnv) -> None:
    """End to end through the real entry point, once sign_cmd.py registers ``verify``."""
    cmd = _sohoa()
    if cmd is None:
        pytest.skip("sohoa console script not installed in this venv")
    help_text = subprocess.run([*cmd, "verify", "--help"], capture_output=True, text=True, timeout=60).stdout
    if "--trust" not in help_text:
        pytest.skip("pipeline/cli/sign_cmd.py does not register pipeline.cli.verify_cmd yet")
    env = {**os.environ, "SOHOA_SIGNING__TRUST_ROOTS": "[]"}
    root = str(pki_env.pki.root.cert)
    ok = subprocess.run(
        [*cmd, "verify", str(files["good"]), "--json", "--trust", root],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["valid"] is True
    bad = subprocess.run(
        [*cmd, "verify", str(files["bad"]), "--trust", root],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert bad.returncode == int(ExitCode.VERIFICATION)
    assert "KHÔNG HỢP LỆ" in bad.stdout and len(bad.stderr.strip().splitlines()) == 1
    corrupt = files["good"].with_name("corrupt.pdf")
    corrupt.write_bytes(b"%PDF-1.7\ngarbage")
    res = subprocess.run(
        [*cmd, "verify", str(corrupt), "--trust", root], capture_output=True, text=True, timeout=120, env=env
    )
    assert res.returncode == int(ExitCode.INPUT_FILE)
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_validate_as_of_a_date(app: typer.Typer, files: dict[str, Path], pki_env: PkiEnv) -> None:
    root = str(pki_env.pki.root.cert)
    res = _run(app, str(files["good"]), "--json", "--trust", root, "--at", "2020-01-01T00:00:00+07:00")
    assert res.exit_code == int(ExitCode.VERIFICATION)  # the certificates did not exist yet
    assert json.loads(res.stdout)["signatures"][0]["trusted"] is False
    res = _run(app, str(files["good"]), "--trust", root, "--at", "next tuesday")
    assert res.exit_code == 2


def test_crl_option(app: typer.Typer, tmp_path: Path) -> None:
    from signing.testpki import create_test_pki

    pki = create_test_pki(tmp_path / "no-urls")
    path = tmp_path / "revoked.pdf"
    path.write_bytes(sign_bytes(text_pdf_bytes(), signer_for(pki, pki.revoked)))
    args = [str(path), "--json", "--trust", str(pki.root.cert), "--revocation", "hard-fail"]
    res = _run(app, *args, "--crl", str(pki.crl), "--crl", str(pki.root_crl))
    assert res.exit_code == int(ExitCode.VERIFICATION)
    assert json.loads(res.stdout)["signatures"][0]["revoked"] is True
