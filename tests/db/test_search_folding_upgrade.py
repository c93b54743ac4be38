"""Rows written before 0870 are found without accents after the upgrade (the name is folded by
the migration, PostgreSQL's text index is rebuilt on folded text), and the sample catalogue's
wrong codes are renamed in place, a province's own procedures left alone; downgrade undoes it."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from pipeline.dossier.search import search_dossiers
from storage.db.document_text import search_texts
from storage.db.migrate import alembic_config, upgrade_engine
from storage.db.models import Dossier, Procedure
from tests.db.fixtures import Database

AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
AGENCY = "000.00.31.H12"
ROWS: dict[str, list[dict[str, object]]] = {
    "agencies": [{"id": 1, "code": AGENCY, "name": "UBND xã Tân Phú"}],
    "procedures": [
        {"id": 1, "code": "1.004194", "name": "Đăng ký thường trú"},
        {"id": 2, "code": "1.004222", "name": "Đăng ký tạm trú"},
        {"id": 3, "code": "2.000720", "name": "Đăng ký thành lập hộ kinh doanh"},
        {"id": 4, "code": "1.004227", "name": "Thủ tục riêng của tỉnh"},  # not the sample's: kept
    ],
    "dossiers": [
        {
            "id": 10,
            "code": f"{AGENCY}-261120-0001",
            "agency_id": 1,
            "procedure_id": 1,
            "received_at": AT,
            "promised_date": dt.date(2026, 11, 27),
            "status": "received",
        },
        {
            "id": 11,
            "code": f"{AGENCY}-261120-0002",
            "agency_id": 1,
            "procedure_id": 3,
            "received_at": AT,
            "promised_date": dt.date(2026, 11, 25),
            "status": "received",
        },
    ],
    "dossier_cases": [
        {
            "dossier_id": 10,
            "state": "received",
            "applicant_id": "001086012345",
            "applicant_name": "Đặng Thị Đào",
            "token": "t" * 43,
            "received_by": "clerk",
            "clock_start": dt.date(2026, 11, 20),
            "updated_at": AT,
        },
    ],
    "scans": [
        {
            "id": 20,
            "sha256": "a" * 64,
            "filename": "ho-so.pdf",
            "size": 1234,
            "pages": 1,
            "object_key": "a" * 64,
            "dossier_id": 11,
            "received_at": AT,
        }
    ],
    "documents": [
        {
            "id": 30,
            "sha256": "b" * 64,
            "doc_type": "application_form",
            "pages": [1],
            "page_count": 1,
            "owner_id": None,
            "source": "digitised",
            "scan_id": 20,
            "dossier_id": 11,
            "confidence": 0.9,
            "created_at": AT,
        }
    ],
    "document_texts": [{"document_id": 30, "body": "Giấy đề nghị đăng ký hộ kinh doanh: tiệm Đức Đạt"}],
}


def _codes(session: Session) -> dict[int, str]:
    return {int(i): str(c) for i, c in session.execute(select(Procedure.id, Procedure.code))}


def test_rows_before_0870_searchable_and_codes_renamed(empty_db: Database) -> None:
    engine = empty_db.engine
    upgrade_engine(engine, "0860")
    old = MetaData()
    old.reflect(engine)
    with engine.begin() as conn:
        for table, rows in ROWS.items():
            conn.execute(old.tables[table].insert(), rows)

    upgrade_engine(engine, "0870")
    own = frozenset({AGENCY})
    with Session(engine) as s:
        assert _codes(s) == {1: "1.004222", 2: "1.004194", 3: "1.001612", 4: "1.004227"}
        dossier = s.get(Dossier, 11)
        assert dossier is not None and dossier.procedure is not None
        assert (dossier.procedure.code, dossier.procedure.name) == (
            "1.001612",
            "Đăng ký thành lập hộ kinh doanh",
        )
        by_name = search_dossiers(s, "dang thi dao", agencies=own)
        assert [(h.code, h.matched) for h in by_name] == [(f"{AGENCY}-261120-0001", "name")]
        assert [h.document_id for h in search_texts(s, "duc dat")] == [30]
        by_text = search_dossiers(s, "tiem duc dat", agencies=own)
        assert [(h.code, h.matched) for h in by_text] == [(f"{AGENCY}-261120-0002", "text")]

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0860")
    with Session(engine) as s:
        assert _codes(s) == {1: "1.004194", 2: "1.004222", 3: "2.000720", 4: "1.004227"}
    upgrade_engine(engine)
