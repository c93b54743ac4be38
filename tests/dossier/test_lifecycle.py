"""Every transition of a dossier, the supplement clock and overdue dossiers, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from pipeline.dossier.lifecycle import ALLOWED, COARSE, State, get_case, overdue, transition
from pipeline.dossier.signatures import record_result
from pipeline.dossier.workdays import add_working_days
from storage.db.engine import read_session, write_session
from storage.db.errors import BadInputError
from storage.db.models import AuditEntry
from tests.db.fixtures import Database
from tests.dossier.helpers import catalogue, receive_confirmation, ref

RECEIVED_AT = datetime(2027, 1, 27, 2, 0, tzinfo=UTC)  # Wednesday 27/01/2027, 09:00 in Vietnam
REASONS = {
    State.SUPPLEMENT_REQUESTED: "thiếu tờ khai",
    State.REJECTED: "không đủ điều kiện",
    State.WITHDRAWN: "công dân rút",
}
# A path from "received" to every state, one step at a time.
PATHS: dict[State, list[State]] = {
    State.RECEIVED: [],
    State.PROCESSING: [State.PROCESSING],
    State.SUPPLEMENT_REQUESTED: [State.SUPPLEMENT_REQUESTED],
    State.FINISHED: [State.PROCESSING, State.FINISHED],
    State.RETURNED: [State.PROCESSING, State.FINISHED, State.RETURNED],
    State.REJECTED: [State.REJECTED],
    State.WITHDRAWN: [State.WITHDRAWN],
}


def _new(db: Database) -> str:
    with write_session(db.engine) as s:
        catalogue(s)
        view = receive_confirmation(s, actor="clerk-1", received_at=RECEIVED_AT)
    return view.code


def _walk(db: Database, code: str, states: list[State]) -> None:
    for target in states:
        with write_session(db.engine) as s:
            if target is State.FINISHED:  # the one way in: filing the signed e-result
                record_result(s, code, ref(f"result-{code}"), signed_by="Trần Thị Bình", actor="officer-2")
                continue
            transition(
                s, code, target, actor="officer-2", reason=REASONS.get(target), today=date(2027, 1, 28)
            )


def test_every_transition_allowed_or_refused(db: Database) -> None:
    """From each state, every allowed target works (audited, coarse status in step); others fail."""
    for source in State:
        for target in State:
            _check_transition(db, source, target)


def _check_transition(db: Database, source: State, target: State) -> None:
    code = _new(db)
    _walk(db, code, PATHS[source])
    if target in ALLOWED[source]:
        _walk(db, code, [target])
        with read_session(db.engine) as s:
            dossier, case = get_case(s, code)
            assert case.state == target.value
            assert dossier.status == COARSE[target].value
            last = s.scalars(
                select(AuditEntry)
                .where(AuditEntry.dossier_id == dossier.id, AuditEntry.action == "dossier.transition")
                .order_by(AuditEntry.id.desc())
            ).first()
            assert last is not None and last.actor == "officer-2"
            assert last.details["previous"] == source.value and last.details["state"] == target.value
            assert last.at is not None
    else:
        with pytest.raises(BadInputError), write_session(db.engine) as s:
            transition(s, code, target, actor="officer-2", reason="x")
        with read_session(db.engine) as s:
            assert get_case(s, code)[1].state == source.value


def test_finished_only_with_a_filed_e_result(db: Database) -> None:
    """A bare "finished" (no e-result filed) is refused and changes nothing; filing one finishes."""
    code = _new(db)
    _walk(db, code, [State.PROCESSING])
    with pytest.raises(BadInputError, match="kết quả điện tử"), write_session(db.engine) as s:
        transition(s, code, State.FINISHED, actor="officer-2")
    with read_session(db.engine) as s:
        dossier, case = get_case(s, code)
        assert case.state == State.PROCESSING.value and dossier.finished_at is None
    _walk(db, code, [State.FINISHED])
    with read_session(db.engine) as s:
        dossier, case = get_case(s, code)
        assert case.state == State.FINISHED.value and case.result_document_id is not None
        moves = s.scalars(
            select(AuditEntry.details).where(
                AuditEntry.dossier_id == dossier.id, AuditEntry.action == "dossier.transition"
            )
        ).all()
    assert [m["state"] for m in moves] == ["processing", "finished"]


def test_reason_required_for_supplement_reject_withdraw(db: Database) -> None:
    code = _new(db)
    for target in (State.SUPPLEMENT_REQUESTED, State.REJECTED, State.WITHDRAWN):
        with pytest.raises(BadInputError), write_session(db.engine) as s:
            transition(s, code, target, actor="x")


def test_supplement_recounts_the_time_limit_from_the_complete_supplement(db: Database) -> None:
    code = _new(db)
    with read_session(db.engine) as s:
        dossier, _ = get_case(s, code)
        first_promise = dossier.promised_date
    assert first_promise == add_working_days(date(2027, 1, 27), 3)
    with write_session(db.engine) as s:
        transition(
            s,
            code,
            State.SUPPLEMENT_REQUESTED,
            actor="officer",
            reason="thiếu bản chính",
            today=date(2027, 1, 28),
        )
    # while waiting for the supplement the clock is stopped: never overdue
    with read_session(db.engine) as s:
        assert overdue(s, today=date(2027, 3, 1)) == []
    supplement_day = date(2027, 2, 3)  # the day before Tết 2027 begins
    with write_session(db.engine) as s:
        transition(s, code, State.PROCESSING, actor="clerk", today=supplement_day)
    with read_session(db.engine) as s:
        dossier, case = get_case(s, code)
        assert case.clock_start == supplement_day
        assert dossier.promised_date == add_working_days(supplement_day, 3)
        assert dossier.promised_date > date(2027, 2, 10)  # Tết days are not counted
        assert case.supplement_reason == "thiếu bản chính"


def test_overdue_lists_running_dossiers_past_their_promise(db: Database) -> None:
    late = _new(db)
    finished = _new(db)
    _walk(db, finished, [State.PROCESSING, State.FINISHED])
    with read_session(db.engine) as s:
        promised = get_case(s, late)[0].promised_date
        assert promised is not None
        assert overdue(s, today=promised) == []
        rows = overdue(s, today=add_working_days(promised, 2))
    assert [r.code for r in rows] == [late]
    assert rows[0].working_days_late == 2 and rows[0].applicant_name == "Nguyễn Văn An"
