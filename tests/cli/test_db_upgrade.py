"""Only ``sohoa db upgrade`` changes the schema; read-only commands, serve and worker refuse a stale one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from config.errors import ExitCode
from pipeline.cli.main import main
from storage.db.migrate import head_revision


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data))
    monkeypatch.delenv("SOHOA_DATABASE__URL", raising=False)
    monkeypatch.setenv("SOHOA_STORAGE__BACKEND", "directory")
    return data


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def tables(data: Path) -> set[str]:
    files = list(data.rglob("*.db")) + list(data.rglob("*.sqlite*"))
    found: set[str] = set()
    for file in files:
        with sqlite3.connect(file) as connection:
            found |= {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return found


@pytest.mark.parametrize(
    "argv",
    [
        ["lookup", "--owner", "027095001234", "--json"],
        ["report"],
        ["export", "--document", "1", "-o", "out.pdf"],
        ["serve", "--no-worker"],
        ["worker"],
        ["admin", "add-key", "dvc", "--scope", "lookup", "--agency", "*"],
    ],
    ids=lambda a: a[0],
)
def test_refuses_a_database_not_upgraded(
    data: Path, argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(data.parent)
    code, out, err = run(argv, capsys)
    assert code == int(ExitCode.DATABASE), err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "chưa được nâng cấp" in lines[0] and "sohoa db upgrade" in lines[0]
    assert "Traceback" not in err and out == ""
    assert tables(data) == set(), "a refused command created no schema"


def test_db_upgrade_then_read_only_commands_work(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["db", "upgrade"], capsys)
    assert code == 0, err
    assert str(head_revision()) in out
    assert {"alembic_version", "dossiers"} <= tables(data)
    code, out, err = run(["lookup", "--owner", "027095001234", "--procedure", "1.001193", "--json"], capsys)
    assert code == 0, err
    assert '"missing"' in out  # the catalogue was seeded by db upgrade
    code, out, err = run(["db", "upgrade"], capsys)  # a second run is a no-op
    assert code == 0, err
