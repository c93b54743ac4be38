"""Decision 766 indicators on both databases, from dossiers built through the record code."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from pipeline.documents.types import document_type
from pipeline.report import build_report
from pipeline.reuse import reuse_document
from storage.db.dossiers import create_dossier_in
from storage.db.engine import read_session, write_session
from storage.db.models import Document, DocumentSource, Dossier, DossierStatus
from storage.db.records import (
    DocumentInput,
    FieldInput,
    ObjectRef,
    ScanInput,
    add_signed_version,
    record_scan,
)
from tests.db.fixtures import Database

AGENCY = "H55.242"
OTHER = "000.00.53.H48"
IN_PERIOD = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)


def ref(tag: str) -> ObjectRef:
    digest = (tag.encode().hex() * 64)[:64]
    return ObjectRef(bucket="digitised", key=digest, sha256=digest, size=10)


def scan(tag: str, *, searchable: bool, owner: str = "027095001234") -> ScanInput:
    fields = {"id_number": FieldInput(owner, 0.99)}
    doc = DocumentInput("cccd", [1], 0.95, fields, searchable=ref(tag + "s") if searchable else None,
                        owner_fields=document_type("cccd").owner_fields)
    return ScanInput(
        sha256=ref(tag).sha256, filename=f"{tag}.pdf", size=10, pages=1, original=ref(tag), documents=[doc]
    )


def dossier(session: Session, agency: str = AGENCY, **kw: object) -> Dossier:
    received = kw.pop("received_at", IN_PERIOD)
    return create_dossier_in(session, agency, received_at=received, actor="test", **kw)  # type: ignore[arg-type]


def finish(d: Dossier, on: datetime) -> None:
    d.status = DossierStatus.FINISHED.value
    d.finished_at = on


def build(db: Database) -> None:
    with write_session(db.engine) as s:
        d1 = dossier(s)  # digitised, open
        record_scan(s, scan("a1", searchable=True), dossier=d1, actor="test")

        d2 = dossier(s)  # a component without a digital copy, one reused component
        record_scan(s, scan("b1", searchable=False), dossier=d2, actor="test")
        held, _ = record_scan(s, scan("h1", searchable=True, owner="001196004321"), dossier=None, actor="t")
        s.flush()
        reuse_document(s, d2.code, held.documents[0].id, actor="test", today=date(2026, 11, 10))

        d3 = dossier(s, promised_date=date(2026, 11, 20))  # finished on time with a signed e-result
        record_scan(s, scan("c1", searchable=True), dossier=d3, actor="test")
        result = Document(
            sha256=ref("r3").sha256,
            doc_type="other",
            pages=[1],
            page_count=1,
            source=DocumentSource.SIGNED.value,
            dossier_id=d3.id,
        )
        s.add(result)
        s.flush()
        add_signed_version(s, result.id, ref("r3"), signed_by="CN=TEST", actor="test")
        finish(d3, datetime(2026, 11, 19, 9, tzinfo=UTC))

        d4 = dossier(s, promised_date=date(2026, 11, 12))  # finished late, no result
        record_scan(s, scan("d1", searchable=True), dossier=d4, actor="test")
        finish(d4, datetime(2026, 11, 15, 9, tzinfo=UTC))

        d5 = dossier(s, agency=OTHER, received_at=datetime(2026, 10, 1, tzinfo=UTC))  # out of period
        record_scan(s, scan("e1", searchable=True), dossier=d5, actor="test")


def test_indicators_count_each_definition(db: Database) -> None:
    build(db)
    with read_session(db.engine) as s:
        report = build_report(s, period_from=date(2026, 11, 1), period_to=date(2026, 11, 30))
    assert [a.agency for a in report.agencies] == [AGENCY]
    a = report.agencies[0]
    assert a.dossiers == 4
    assert (a.digitised.numerator, a.digitised.denominator) == (2, 4)
    assert (a.e_results.numerator, a.e_results.denominator) == (1, 2)
    assert (a.reused.numerator, a.reused.denominator) == (1, 4)
    assert (a.on_time.numerator, a.on_time.denominator) == (1, 2)
    assert report.total is not None and report.total.dossiers == 4


def test_period_and_agency_filters(db: Database) -> None:
    build(db)
    with read_session(db.engine) as s:
        everything = build_report(s)
        other = build_report(s, agencies=[OTHER])
        empty = build_report(s, period_from=date(2027, 1, 1))
    assert everything.total is not None and everything.total.dossiers == 5
    assert [a.agency for a in other.agencies] == [OTHER]
    assert other.agencies[0].digitised.as_dict() == {"numerator": 1, "denominator": 1, "ratio": 1.0}
    assert empty.agencies == [] and empty.total is not None and empty.total.dossiers == 0
    assert empty.total.digitised.as_dict()["ratio"] is None


def test_cli_report_json(db: Database, tmp_path: Path) -> None:
    build(db)
    env = {"SOHOA_DATA_DIR": str(tmp_path), "SOHOA_DATABASE__URL": db.url, "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli.main",
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["agencies"][0]["reused"] == {"numerator": 1, "denominator": 4, "ratio": 0.25}
    assert data["from"] == "2026-11-01"
    bad = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "report", "--from", "2026-13-01"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "--from" in bad.stderr
