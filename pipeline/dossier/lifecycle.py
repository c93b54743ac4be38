"""A dossier's life: the states, which transitions are allowed, the clock, overdue dossiers.

    received ─▶ processing ─▶ finished ─▶ returned
        │  ▲         │  ▲
        │  └─────────┼──┴──── supplement_requested   (clock paused; recounted on the supplement)
        └────────────┴──────▶ rejected | withdrawn

Clock rule for supplements. Nghị định 61/2018/NĐ-CP on the one-stop mechanism (as amended by
Nghị định 107/2021/NĐ-CP) has the agency that finds a dossier incomplete ask once, in writing,
for what is missing (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ), and the time limit is counted
again from the start once the complete supplement has been received. So here:

- while a supplement is requested the dossier is not overdue (its clock is stopped);
- when the supplement comes in, ``clock_start`` becomes that day and the promised date is
  recomputed as the procedure's full time limit in working days from it (never shortened: if
  the old promise was later, it stands).

A dossier reaches ``finished`` only with its e-result filed (``case.result_document_id``):
``signatures.finish_with_result`` sets it in the transaction that files the signed result
(``sohoa dossier issue``, or the seal accepted on the server), then moves the dossier. There is no
other way in: the workflow has no paper-result path, so "finished" always means an e-result.

Every transition writes an audit entry (who, when, from, to, reason) in the caller's
transaction, and keeps ``dossiers.status`` (the coarse status Decision 766 reads) in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.dossier.workdays import add_working_days, working_days_between
from storage.db.dossier_cases import DossierCase
from storage.db.dossiers import audit, get_dossier, receipt_day, set_status
from storage.db.errors import BadInputError, NotFoundError
from storage.db.models import Agency, Dossier, DossierStatus, Procedure, utcnow

MAX_REASON = 1000


class State(StrEnum):
    RECEIVED = "received"  # đã tiếp nhận
    PROCESSING = "processing"  # đang xử lý
    SUPPLEMENT_REQUESTED = "supplement_requested"  # chờ bổ sung
    FINISHED = "finished"  # đã có kết quả
    RETURNED = "returned"  # đã trả kết quả
    REJECTED = "rejected"  # từ chối giải quyết
    WITHDRAWN = "withdrawn"  # công dân rút hồ sơ


LABELS_VI: dict[State, str] = {
    State.RECEIVED: "Đã tiếp nhận",
    State.PROCESSING: "Đang xử lý",
    State.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
    State.FINISHED: "Đã có kết quả",
    State.RETURNED: "Đã trả kết quả",
    State.REJECTED: "Từ chối giải quyết",
    State.WITHDRAWN: "Đã rút hồ sơ",
}

ALLOWED: dict[State, frozenset[State]] = {
    State.RECEIVED: frozenset(
        {State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.REJECTED, State.WITHDRAWN}
    ),
    State.PROCESSING: frozenset(
        {State.SUPPLEMENT_REQUESTED, State.FINISHED, State.REJECTED, State.WITHDRAWN}
    ),
    State.SUPPLEMENT_REQUESTED: frozenset({State.PROCESSING, State.REJECTED, State.WITHDRAWN}),
    State.FINISHED: frozenset({State.RETURNED}),
    State.RETURNED: frozenset(),
    State.REJECTED: frozenset(),
    State.WITHDRAWN: frozenset(),
}

COARSE: dict[State, DossierStatus] = {
    State.RECEIVED: DossierStatus.RECEIVED,
    State.PROCESSING: DossierStatus.PROCESSING,
    State.SUPPLEMENT_REQUESTED: DossierStatus.PROCESSING,
    State.FINISHED: DossierStatus.FINISHED,
    State.RETURNED: DossierStatus.RETURNED,
    State.REJECTED: DossierStatus.REJECTED,
    State.WITHDRAWN: DossierStatus.REJECTED,
}

# Dossiers whose clock runs: they can be overdue.
RUNNING = (State.RECEIVED.value, State.PROCESSING.value)
NEEDS_REASON = (State.SUPPLEMENT_REQUESTED, State.REJECTED, State.WITHDRAWN)


def get_case(session: Session, code: str) -> tuple[Dossier, DossierCase]:
    dossier = get_dossier(session, code)
    case = session.get(DossierCase, dossier.id)
    if case is None:
        raise NotFoundError(f"Hồ sơ {code} không được tiếp nhận qua một cửa (dossier has no receipt record)")
    return dossier, case


def promised_from(start: date, procedure: Procedure | None) -> date | None:
    if procedure is None or procedure.processing_days is None:
        return None
    return add_working_days(start, procedure.processing_days)


def transition(
    session: Session,
    code: str,
    target: State,
    *,
    actor: str,
    reason: str | None = None,
    today: date | None = None,
) -> DossierCase:
    """Move a dossier to ``target`` if its state allows it; audited in the caller's transaction."""
    dossier, case = get_case(session, code)
    current = State(case.state)
    if target not in ALLOWED[current]:
        raise BadInputError(
            f'Không thể chuyển hồ sơ từ "{LABELS_VI[current]}" sang "{LABELS_VI[target]}" '
            f"(transition {current.value} → {target.value} not allowed)"
        )
    reason = (reason or "").strip() or None
    if target is State.FINISHED and case.result_document_id is None:
        raise BadInputError(
            "Hồ sơ chỉ có kết quả khi kết quả điện tử đã được ký, đóng dấu và ghi nhận: ban hành kết "
            "quả trước (a dossier finishes only with its filed e-result)"
        )
    if target in NEEDS_REASON and reason is None:
        raise BadInputError("Cần ghi lý do (a reason is required for this step)")
    if reason is not None and len(reason) > MAX_REASON:
        raise BadInputError("Lý do quá dài (reason longer than 1000 characters)")
    now = utcnow()
    day = today or receipt_day(now)
    details: dict[str, Any] = {"previous": current.value, "state": target.value}
    if target is State.SUPPLEMENT_REQUESTED:
        case.supplement_requested_at = now
        case.supplement_reason = reason
    if current is State.SUPPLEMENT_REQUESTED and target is State.PROCESSING:
        # The complete supplement is in: the time limit is counted again from today.
        case.clock_start = day
        recounted = promised_from(day, dossier.procedure)
        if recounted is not None and (dossier.promised_date is None or recounted > dossier.promised_date):
            dossier.promised_date = recounted
        details["clock_start"] = day.isoformat()
        details["promised_date"] = dossier.promised_date.isoformat() if dossier.promised_date else None
    if target is State.RETURNED:
        case.returned_at = now
    if reason is not None:
        details["reason"] = reason
    case.state = target.value
    case.updated_at = now
    if dossier.status != COARSE[target].value:
        set_status(session, dossier, COARSE[target], actor=actor)
    audit(session, "dossier.transition", actor=actor, dossier_id=dossier.id, **details)
    session.flush()
    return case


@dataclass(frozen=True)
class Overdue:
    code: str
    agency: str
    state: str
    applicant_name: str | None
    promised_date: date
    working_days_late: int


def overdue(session: Session, *, today: date, agency: str | None = None) -> list[Overdue]:
    """Dossiers whose clock runs and whose promised date has passed, most late first."""
    query = (
        select(
            Dossier.code, Agency.code, DossierCase.state, DossierCase.applicant_name, Dossier.promised_date
        )
        .join(DossierCase, DossierCase.dossier_id == Dossier.id)
        .join(Agency, Agency.id == Dossier.agency_id)
        .where(
            DossierCase.state.in_(RUNNING),
            Dossier.promised_date.is_not(None),
            Dossier.promised_date < today,
        )
        .order_by(Dossier.promised_date, Dossier.code)
    )
    if agency is not None:
        query = query.where(Agency.code == agency)
    return [
        Overdue(code, agency_code, state, name, promised, working_days_between(promised, today))
        for code, agency_code, state, name, promised in session.execute(query)
        if promised is not None
    ]
