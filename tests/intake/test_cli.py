"""``sohoa ingest``, ``watch``, ``lookup`` and ``reuse`` as a clerk or a script runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from config.settings import load_settings
from pipeline.cli.main import main
from pipeline.documents.types import document_type
from pipeline.services import upgrade
from storage.db.engine import read_session
from storage.db.models import AuditEntry, DossierComponent
from tests.db.fixtures import Database
from tests.intake.helpers import Sample, copy_sample

BAD_IDS = [
    "12345",
    "027095001234' OR '1'='1",
    "'; DROP TABLE documents; --",
    "0270950012345",
    "02709500123%",
    "x" * 50_000,
    "",
]


@pytest.fixture
def env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("SOHOA_DATA_DIR", str(data))
    monkeypatch.setenv("SOHOA_DATABASE__URL", db.url)
    monkeypatch.setenv("SOHOA_OCR__JOBS", "1")
    monkeypatch.setenv("SOHOA_STORAGE__BACKEND", "directory")
    upgrade(load_settings()).dispose()  # what ``sohoa db upgrade`` does: schema and catalogue
    return data


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("bad", BAD_IDS, ids=lambda s: s[:12] or "empty")
def test_lookup_refuses_bad_ids(env: Path, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    code, out, err = run(["lookup", "--owner", bad, "--json"], capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sohoa: ") and "Traceback" not in err
    if bad:
        assert bad[:8] not in lines[0], "the input (maybe a personal id) is not echoed"


def test_lookup_json_shape_and_missing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["lookup", "--owner", "027095001234", "--procedure", "1.001193", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["owner", "held", "missing"]
    shipped = ["application_form", "birth_notice", "cccd"]  # the shipped catalogue, as db upgrade imports it
    assert data == {"owner": "027095001234", "held": [], "missing": shipped}


@pytest.mark.parametrize("procedure", ["9.999999", "1.001193; DROP", "x" * 1000])
def test_lookup_unknown_or_bad_procedure(
    env: Path, capsys: pytest.CaptureFixture[str], procedure: str
) -> None:
    code, _, err = run(["lookup", "--owner", "027095001234", "--procedure", procedure], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_ingest_errors(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ingest", str(tmp_path / "missing.pdf")], capsys)
    assert code == 3 and err.startswith("sohoa: ")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    code, out, err = run(["ingest", str(bad), "--json"], capsys)
    assert code == 12, err
    result = json.loads(out)
    assert result["files"][0]["status"] == "failed" and result["files"][0]["reason"]
    assert Path(result["files"][0]["quarantined"]).is_file()
    assert bad.exists()
    code, _, err = run(["ingest", str(bad), "--dossier", "NOPE-1", "--procedure", "1.001193"], capsys)
    assert code == 2
    code, _, err = run(["ingest", str(bad), "--agency", "bad agency!"], capsys)
    assert code == 2 and "cơ quan" in err
    code, _, err = run(["watch", str(tmp_path / "no-such-dir"), "--once"], capsys)
    assert code == 2


def test_ingest_then_lookup_then_reuse(
    env: Path, db: Database, samples: dict[str, Sample], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = samples["cccd"]
    scan = copy_sample(sample, tmp_path / "in")
    code, out, err = run(
        ["ingest", str(scan), "--procedure", "1.001193", "--agency", "H55.242", "--json"], capsys
    )
    assert code == 0, err
    first = json.loads(out)
    assert first["files"][0]["status"] == "ingested"
    code, out, _ = run(["ingest", str(scan), "--json"], capsys)
    assert code == 0 and json.loads(out)["files"][0]["status"] == "duplicate"

    owner = sample.fields["id_number"]
    code, out, _ = run(["lookup", "--owner", owner, "--procedure", "1.001193", "--json"], capsys)
    assert code == 0
    held = json.loads(out)
    assert [h["doc_type"] for h in held["held"]] == ["cccd"]
    assert held["held"][0]["dossier"] == first["dossier"]
    assert held["missing"] == ["application_form", "birth_notice"]  # the shipped catalogue

    # A new dossier reuses the held card instead of a new scan.
    code, out, _ = run(
        ["ingest", str(scan), "--procedure", "1.000894", "--agency", "H55.242", "--json"], capsys
    )
    new_dossier = json.loads(out)["dossier"]
    code, _, err = run(
        ["reuse", "--dossier", first["dossier"], "--document", held["held"][0]["document_id"]], capsys
    )
    assert code == 2, "already a component of its own dossier"
    fresh = run(["lookup", "--owner", owner, "--json"], capsys)[1]
    document_id = json.loads(fresh)["held"][0]["document_id"]
    with read_session(db.engine) as session:
        before = len(session.scalars(select(DossierComponent).where(DossierComponent.reused)).all())
    # The duplicate ingest above attached the card to new_dossier as a (non-reused) component,
    # so reuse it for a third dossier created through the CLI's dossier path.
    from storage.db.dossiers import create_dossier

    third = create_dossier(db.engine, "H55.242", procedure_code="1.000894", actor="test")
    code, out, err = run(["reuse", "--dossier", third, "--document", document_id], capsys)
    assert code == 0, err
    with read_session(db.engine) as session:
        reused = session.scalars(select(DossierComponent).where(DossierComponent.reused)).all()
        assert len(reused) == before + 1 and reused[-1].document_id == int(document_id)
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "component.reused")).first()
    assert new_dossier != first["dossier"]


def test_console_script_prints_one_line(tmp_path: Path) -> None:
    """The installed entry point, in a fresh process: exit 2, one line, no traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "lookup", "--owner", "1 OR 1=1"],
        capture_output=True,
        text=True,
        env={"SOHOA_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "sohoa.db").exists(), "bad input touches nothing"


def test_staff_correct_an_owner_id(
    env: Path, db: Database, samples: dict[str, Sample], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.db.engine import write_session
    from storage.db.records import DocumentInput, FieldInput, ObjectRef, ScanInput, record_scan

    ref = ObjectRef("originals", "a" * 64, "a" * 64, 10)
    with write_session(db.engine) as session:
        _, docs = record_scan(
            session,
            ScanInput(
                "a" * 64,
                "x.pdf",
                10,
                1,
                ref,
                [DocumentInput("cccd", [1], 0.5, {"id_number": FieldInput("027095001284", 0.4, True)},
                               owner_fields=document_type("cccd").owner_fields)],
            ),
            dossier=None,
            actor="t",
        )
        document_id = str(docs[0].id)
    code, _, err = run(
        [
            "correct",
            "--document",
            document_id,
            "--field",
            "id_number",
            "--value",
            "027095001234",
            "--actor",
            "clerk.an",
        ],
        capsys,
    )
    assert code == 0, err
    _, out, _ = run(["lookup", "--owner", "027095001234", "--json"], capsys)
    assert [h["document_id"] for h in json.loads(out)["held"]] == [document_id]
    _, out, _ = run(["lookup", "--owner", "027095001284", "--json"], capsys)
    assert json.loads(out)["held"] == []
    for bad in (["--document", "1 OR 1", "--field", "id_number"], ["--document", "1", "--field", "x; DROP"]):
        code, _, _ = run(["correct", *bad, "--value", "v"], capsys)
        assert code == 2
    code, _, err = run(["correct", "--document", "999999", "--field", "id_number", "--value", "v"], capsys)
    assert code == 2 and "unknown document" in err
