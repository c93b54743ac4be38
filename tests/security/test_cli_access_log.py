"""``sohoa lookup`` (administrative, local) is recorded; ``sohoa access-log`` lists a person's reads."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.db.fixtures import Database

SOHOA = str(Path(sys.executable).with_name("sohoa"))
OWNER = "027095001234"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOHOA, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # five CLI subprocesses
def test_cli_lookup_is_recorded_and_listed(tmp_path: Path) -> None:
    env = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path / "data")}
    assert _run(env, "db", "upgrade").returncode == 0
    assert _run(env, "lookup", "--owner", OWNER, "--json").returncode == 0
    done = _run(env, "lookup", "--owner", OWNER, "--as", "nguyen.van.an")
    assert done.returncode == 0, done.stderr
    listed = _run(env, "access-log", "--owner", OWNER, "--json")
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)["entries"]
    assert [(e["actor"], e["action"]) for e in entries] == [
        (f"os:{getpass.getuser()}", "lookup"),
        ("os:nguyen.van.an", "lookup"),
    ]
    table = _run(env, "access-log", "--owner", OWNER)
    assert table.returncode == 0 and "nguyen.van.an" in table.stdout
    bad = _run(env, "access-log", "--owner", "12")
    assert bad.returncode == 2 and "12" not in bad.stderr.replace("12 chữ số", "")


@pytest.mark.slow  # four CLI subprocesses
def test_cli_legal_basis_is_one_of_the_declared_list(tmp_path: Path) -> None:
    env = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path / "data")}
    assert _run(env, "db", "upgrade").returncode == 0
    refused = _run(env, "lookup", "--owner", OWNER, "--legal-basis", "vì tò mò")
    assert refused.returncode == 2, refused.stderr
    assert "Căn cứ pháp lý không có trong danh mục" in refused.stderr and "state_function" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = _run(env, "lookup", "--owner", OWNER, "--legal-basis", "state_function", "--json")
    assert done.returncode == 0, done.stderr
    listed = _run(env, "access-log", "--owner", OWNER, "--json")
    entries = json.loads(listed.stdout)["entries"]
    assert [(e["legal_basis"], e["action"]) for e in entries] == [("state_function", "lookup")]
    assert "luật chuyên ngành" in entries[0]["legal_basis_label"]


def test_cli_legal_reference_is_recorded_and_listed(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process (``main``, as the ``sohoa`` script runs it) on both databases."""
    from pipeline.cli.main import main

    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOHOA_DATABASE__URL", db.url)

    def cli(*args: str) -> tuple[int, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out + out.err

    reference = "Luật Cư trú 2020, Điều 11"
    basis = ("--legal-basis", "state_function")
    code, out = cli("lookup", "--owner", OWNER, *basis, "--legal-reference", reference)
    assert code == 0, out
    code, out = cli("lookup", "--owner", OWNER, *basis, "--legal-reference", "Điều 11\x07")
    assert code == 2 and "ký tự điều khiển" in out, out
    code, out = cli("lookup", "--owner", OWNER, "--legal-reference", reference)  # no ground named
    assert code == 2 and "đi kèm" in out, out
    code, out = cli("access-log", "--owner", OWNER, "--json")
    assert code == 0, out
    entries = json.loads(out)["entries"]
    assert [(e["legal_basis"], e["legal_reference"]) for e in entries] == [("state_function", reference)]
    code, out = cli("access-log", "--owner", OWNER)
    assert code == 0 and reference in out and "luật chuyên ngành" in out, out
