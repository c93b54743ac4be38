"""The CLI wrapper: one stderr line and a stable exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_every_fixed_command() -> None:
    out = run("--help").stdout
    for cmd in ("ocr", "ingest", "watch", "sign", "certify", "verify", "lookup", "report", "serve"):
        assert cmd in out


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    res = run("--no-such-option")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
