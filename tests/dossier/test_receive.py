"""Receipt, reuse first, on both databases: what is held is offered, confirmed, never asked again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pipeline.dossier.receive import dossier_view, find_by_token, receive, reuse_components
from pipeline.dossier.workdays import add_working_days
from pipeline.report import build_report
from storage.db.dossiers import get_dossier
from storage.db.engine import read_session, write_session
from storage.db.errors import BadInputError
from storage.db.models import DossierComponent, Scan
from storage.db.records import attach_scan_to_dossier
from tests.db.fixtures import Database
from tests.dossier.helpers import AGENCY, CITIZEN, CONFIRMATION, MARRIAGE, OTHER, catalogue, scan_cccd

RECEIVED_AT = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # Friday 04/12/2026 10:00 in Vietnam
TODAY = date(2026, 12, 4)


def _setup(db: Database) -> int:
    with write_session(db.engine) as s:
        catalogue(s)
        held = scan_cccd(s, "held-cccd")
        scan_cccd(s, "someone-else", owner=OTHER)
        return held.id


def test_receive_offers_held_components_and_issues_code_and_promise(db: Database) -> None:
    held_id = _setup(db)
    with write_session(db.engine) as s:
        view = receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            applicant_name="Nguyễn Văn An",
            applicant_phone="0912 345 678",
            received_at=RECEIVED_AT,
        )
    assert view.code == f"{AGENCY}-261204-0001"
    assert view.promised_date == add_working_days(TODAY, 3) == date(2026, 12, 9)
    assert len(view.token) >= 32
    statuses = {c.doc_type: c for c in view.components}
    assert statuses["cccd"].status == "held" and statuses["cccd"].held_document_id == held_id
    assert statuses["cccd"].original_required
    assert statuses["application_form"].status == "missing"
    with read_session(db.engine) as s:  # nothing reused until the clerk confirms
        assert s.scalars(select(DossierComponent)).all() == []


def test_reuse_one_action_per_component_and_all(db: Database) -> None:
    held_id = _setup(db)
    with write_session(db.engine) as s:
        code = receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            received_at=RECEIVED_AT,
        ).code
    with write_session(db.engine) as s:
        done = reuse_components(s, code, ["cccd"], actor="clerk", today=TODAY)
    assert [(c.doc_type, c.status, c.document_id, c.signed) for c in done] == [
        ("cccd", "reused", held_id, True)
    ]
    with pytest.raises(BadInputError), write_session(db.engine) as s:  # nothing held: must be scanned
        reuse_components(s, code, ["application_form"], actor="clerk", today=TODAY)
    with write_session(db.engine) as s:  # --reuse-all at receipt
        view = receive(
            s,
            agency=AGENCY,
            procedure=MARRIAGE,
            applicant_id=CITIZEN,
            actor="clerk",
            reuse=None,
            received_at=RECEIVED_AT,
        )
    assert {c.doc_type: c.status for c in view.components} == {
        "application_form": "missing",
        "cccd": "reused",
        "marital_status_confirmation": "missing",
    }
    assert [c.doc_type for c in view.missing] == ["application_form", "marital_status_confirmation"]
    with read_session(db.engine) as s:
        report = build_report(s)
    assert report.total is not None and report.total.reused.numerator == 2


def test_expired_or_foreign_documents_are_not_offered(db: Database) -> None:
    with write_session(db.engine) as s:
        catalogue(s)
        expired = scan_cccd(s, "old-card")
        expired.expiry_date = date(2026, 1, 1)
    with write_session(db.engine) as s:
        view = receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            received_at=RECEIVED_AT,
        )
    assert {c.doc_type: c.status for c in view.components}["cccd"] == "missing"


def test_duplicate_scan_of_a_held_document_is_linked_as_reused(db: Database) -> None:
    with write_session(db.engine) as s:
        catalogue(s)
        first = receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            received_at=RECEIVED_AT,
        ).code
        held = scan_cccd(s, "card", dossier=get_dossier(s, first))
        second = receive(
            s, agency=AGENCY, procedure=MARRIAGE, applicant_id=CITIZEN, actor="clerk", received_at=RECEIVED_AT
        ).code
    with write_session(db.engine) as s:
        scan = s.scalar(select(Scan).where(Scan.id == held.scan_id))
        assert scan is not None
        attach_scan_to_dossier(s, scan, get_dossier(s, second), actor="clerk")
    with read_session(db.engine) as s:
        view = dossier_view(s, second, today=TODAY)
        assert {c.doc_type: (c.status, c.document_id) for c in view.components}["cccd"] == ("reused", held.id)
        assert s.scalars(select(Scan.id)).all() == [held.scan_id]  # stored once


def test_bad_applicant_and_token_lookup(db: Database) -> None:
    _setup(db)
    with pytest.raises(BadInputError), write_session(db.engine) as s:
        receive(s, agency=AGENCY, procedure=CONFIRMATION, applicant_id="12345", actor="clerk")
    with pytest.raises(BadInputError), write_session(db.engine) as s:
        receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            applicant_phone="abc",
        )
    with write_session(db.engine) as s:
        view = receive(s, agency=AGENCY, procedure=CONFIRMATION, applicant_id=CITIZEN, actor="clerk")
    with read_session(db.engine) as s:
        assert find_by_token(s, view.code, view.token) is not None
        assert find_by_token(s, view.code, view.token[:-1] + ("A" if view.token[-1] != "A" else "B")) is None
        assert find_by_token(s, "nope", view.token) is None
