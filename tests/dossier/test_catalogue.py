"""Procedure catalogue import (CSV and JSON, upsert by code) and the shipped default."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.dossier.catalogue import default_catalogue, import_procedures, parse_catalogue
from pipeline.reuse import lookup
from pipeline.services import upgrade
from storage.db.dossiers import add_procedure, get_procedure
from storage.db.engine import read_session, write_session
from storage.db.errors import BadInputError
from storage.db.models import Procedure
from tests.db.fixtures import Database

CSV = """code,name,level,processing_days,fee_vnd,result_doc_type,doc_type,label,original_required
1.001193,Đăng ký khai sinh,4,0,0,birth_certificate,application_form,Tờ khai,không
1.001193,Đăng ký khai sinh,4,0,0,birth_certificate,birth_notice,Giấy chứng sinh,có
1.004873,Cấp Giấy xác nhận tình trạng hôn nhân,4,3,0,marital_status_confirmation,cccd,Căn cước,yes
"""


def test_csv_rows_group_into_procedures() -> None:
    specs = parse_catalogue(CSV.encode(), "list.csv")
    assert [s.code for s in specs] == ["1.001193", "1.004873"]
    birth = specs[0]
    assert [(c.doc_type, c.original_required) for c in birth.components] == [
        ("application_form", False),
        ("birth_notice", True),
    ]
    assert birth.processing_days == 0 and birth.result_doc_type == "birth_certificate"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("code,name\n1.001193,x\n", "a.csv"),  # no doc_type column
        (CSV.replace("có", "maybe"), "a.csv"),
        (json.dumps([{"code": "ABC", "name": "x"}]), "a.json"),
        (json.dumps([{"code": "1.001193", "name": "x", "processing_days": -1}]), "a.json"),
        (json.dumps([{"code": "1.001193", "name": "x"}, {"code": "1.001193", "name": "y"}]), "a.json"),
        ("{not json", "a.json"),
        (json.dumps([{"code": "1.001193", "name": "x", "components": [{"doc_type": "Bad Type"}]}]), "a.json"),
    ],
)
def test_bad_catalogues_refused_with_a_message(text: str, name: str) -> None:
    with pytest.raises(BadInputError):
        parse_catalogue(text.encode(), name)


def test_shipped_catalogue_covers_the_common_commune_procedures() -> None:
    specs = {s.code: s for s in default_catalogue()}
    names = " ".join(s.name.lower() for s in specs.values())
    for word in ("khai sinh", "kết hôn", "khai tử", "chứng thực", "thường trú", "hộ kinh doanh", "đất"):
        assert word in names
    assert all(s.processing_days is not None and s.components for s in specs.values())
    residence = next(s for s in specs.values() if "thường trú" in s.name.lower())
    assert any("CT01" in (c.label or "") for c in residence.components)


def test_import_is_an_upsert(db: Database) -> None:
    specs = parse_catalogue(CSV.encode(), "list.csv")
    with write_session(db.engine) as s:
        first = import_procedures(s, specs)
    with write_session(db.engine) as s:
        again = import_procedures(s, specs)
    assert (first.added, first.updated, again.unchanged) == (2, 0, 2)
    changed = parse_catalogue(CSV.replace(",4,3,0,", ",4,5,0,").encode(), "list.csv")
    with write_session(db.engine) as s:
        third = import_procedures(s, changed)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 1)
    with read_session(db.engine) as s:
        assert get_procedure(s, "1.004873").processing_days == 5
        assert get_procedure(s, "1.001193").required_doc_types == ["application_form", "birth_notice"]


def test_cli_import(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    env = {"SOHOA_DATA_DIR": str(tmp_path), "SOHOA_DATABASE__URL": db.url, "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "procedures", "import", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    first = json.loads(res.stdout)
    assert first["added"] + first["updated"] == 2 and first["unchanged"] == 0
    again = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "procedures", "import", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert json.loads(again.stdout) == {"added": 0, "updated": 0, "unchanged": 2}
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "procedures", "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 2 and "JSON" in res.stderr and "Traceback" not in res.stderr


def _stored(db: Database) -> dict[str, tuple[object, ...]]:
    with read_session(db.engine) as s:
        return {
            p.code: (
                p.name,
                p.processing_days,
                p.fee_vnd,
                p.result_doc_type,
                [(r.doc_type, r.label, r.original_required) for r in p.requirements],
            )
            for p in s.scalars(select(Procedure))
        }


def _shipped() -> dict[str, tuple[object, ...]]:
    return {
        p.code: (
            p.name,
            p.processing_days,
            p.fee_vnd,
            p.result_doc_type,
            [(c.doc_type, c.label, c.original_required) for c in p.components],
        )
        for p in default_catalogue()
    }


def test_db_upgrade_imports_exactly_the_shipped_catalogue(db: Database, tmp_path: Path) -> None:
    """``sohoa db upgrade`` leaves one catalogue, the shipped data file; lookup sees its components."""
    settings = db.settings(tmp_path / "data")
    upgrade(settings, db.engine)
    assert _stored(db) == _shipped()
    upgrade(settings, db.engine)  # a second upgrade changes nothing
    assert _stored(db) == _shipped()
    birth = _shipped()["1.001193"][4]
    with read_session(db.engine) as s:
        missing = lookup(s, "027095001234", "1.001193").missing
    assert missing == [doc_type for doc_type, _label, _original in birth]  # type: ignore[attr-defined]


def test_upgrade_completes_what_an_earlier_seed_left(db: Database, tmp_path: Path) -> None:
    """A database seeded by an earlier sohoa (code, name, types, no time limit) is brought in line."""
    settings = db.settings(tmp_path / "data")
    with write_session(db.engine) as s:
        add_procedure(s, "1.000894", "Đăng ký kết hôn", ["application_form", "cccd", "birth_certificate"])
    upgrade(settings, db.engine)
    assert _stored(db)["1.000894"] == _shipped()["1.000894"]


def test_no_procedure_list_in_code() -> None:
    """The catalogue is data: no module of sohoa names a shipped procedure code.

    Migrations are frozen history, not the catalogue: 0870 renames rows whose codes were wrong."""
    root = Path(__file__).resolve().parents[2]
    migrations = root / "storage" / "migrations" / "versions"
    codes = set(_shipped())
    offenders = [
        str(path.relative_to(root))
        for top in ("pipeline", "storage", "config", "signing", "ocr")
        for path in (root / top).rglob("*.py")
        if migrations not in path.parents
        and any(f'"{code}"' in path.read_text(encoding="utf-8") for code in codes)
    ]
    assert offenders == []
