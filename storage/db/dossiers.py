"""Agencies, procedures, dossier codes and the audit log.

A dossier code is ``AGENCY-YYMMDD-NNNN``: the 4-digit number restarts each day per agency. The
number comes from a counter row per (agency, day) incremented with ``UPDATE … RETURNING`` inside
the transaction that creates the dossier: on PostgreSQL the row lock serialises concurrent
intakes (the second waits for the first to commit), on SQLite the write lock taken at ``BEGIN
IMMEDIATE`` does. The UNIQUE constraint on the code is the backstop; a conflict is retried.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db.engine import run_in_transaction
from storage.db.errors import BadInputError, DatabaseError, NotFoundError
from storage.db.models import (
    Agency,
    AuditEntry,
    DailySequence,
    Dossier,
    DossierStatus,
    Procedure,
    ProcedureRequirement,
    is_agency_code,
    is_procedure_code,
    utcnow,
)

VIETNAM_TZ = timezone(timedelta(hours=7))
MAX_DAILY_SEQUENCE = 9999


WEBHOOK_ACTIONS = frozenset({"job.finished", "document.signed", "document.signed_result", "dossier.status"})

def audit(
    session: Session,
    action: str,
    *,
    actor: str,
    dossier_id: int | None = None,
    document_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        action=action, actor=actor, dossier_id=dossier_id, document_id=document_id, details=details
    )
    session.add(entry)
    if action in WEBHOOK_ACTIONS:
        # Announced to webhook subscribers in this same transaction (the outbox).
        from storage.db.webhook_models import record_event

        record_event(session, entry)
    return entry


def audit_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append several audit entries in one statement (``audit``'s columns; no webhook actions).

    For hot paths that write many entries at once; an action announced to webhooks goes
    through ``audit`` so the outbox row is written with it.
    """
    if not rows:
        return
    if any(row["action"] in WEBHOOK_ACTIONS for row in rows):
        raise ValueError("webhook actions go through audit()")
    now = utcnow()
    session.connection().execute(
        insert(AuditEntry),
        [
            {"at": now, "dossier_id": None, "document_id": None, "details": {}, **row}
            for row in rows
        ],
    )


def check_agency_code(code: str) -> str:
    if not is_agency_code(code):
        raise BadInputError(
            "Mã định danh cơ quan không hợp lệ (invalid agency code): các nhóm [0-9A-Z] "
            "cách nhau bởi dấu chấm, tối đa 35 ký tự"
        )
    return code


def check_procedure_code(code: str) -> str:
    if not is_procedure_code(code):
        raise BadInputError(
            "Mã thủ tục hành chính không hợp lệ (invalid procedure code), ví dụ 1.001612"
        )
    return code


def get_or_create_agency(session: Session, code: str, name: str = "") -> Agency:
    check_agency_code(code)
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name)
        session.add(agency)
        session.flush()
    return agency


def get_procedure(session: Session, code: str) -> Procedure:
    check_procedure_code(code)
    procedure = session.scalar(select(Procedure).where(Procedure.code == code))
    if procedure is None:
        raise NotFoundError(f"Không tìm thấy thủ tục {code} (unknown procedure)")
    return procedure


def add_procedure(session: Session, code: str, name: str, required: list[str]) -> Procedure:
    check_procedure_code(code)
    procedure = Procedure(code=code, name=name)
    procedure.requirements = [
        ProcedureRequirement(doc_type=doc_type, position=i) for i, doc_type in enumerate(required)
    ]
    session.add(procedure)
    session.flush()
    return procedure


def get_dossier(session: Session, code: str) -> Dossier:
    if len(code) > 64:
        raise BadInputError("Mã hồ sơ quá dài (dossier code too long)")
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ {code} (unknown dossier)")
    return dossier


def receipt_day(received_at: datetime) -> date:
    """The date of receipt as the commune sees it (Vietnam time), whatever the server's zone."""
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    return received_at.astimezone(VIETNAM_TZ).date()



def _next_sequence_statement(insert_fn: Any) -> Any:
    stmt = insert_fn(DailySequence).values(
        agency_id=bindparam("agency_id"), day=bindparam("day"), last_value=1
    )
    return stmt.on_conflict_do_update(
        index_elements=["agency_id", "day"], set_={"last_value": DailySequence.last_value + 1}
    ).returning(DailySequence.last_value)


# Built once per dialect (constants: building the statement cost more than running it).
_NEXT_SEQUENCE = {
    "postgresql": _next_sequence_statement(postgresql.insert),
    "sqlite": _next_sequence_statement(sqlite.insert),
}


def next_sequence(session: Session, agency_id: int, day: date) -> int:
    """Increment and return the agency's counter for ``day`` (1 when the day starts): one statement.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` takes the row lock on PostgreSQL exactly as
    the separate UPDATE did, so concurrent intakes still serialise on the counter.
    """
    conn = session.connection()
    value = conn.execute(
        _NEXT_SEQUENCE[conn.dialect.name], {"agency_id": agency_id, "day": day}
    ).scalar_one()
    if value > MAX_DAILY_SEQUENCE:
        raise DatabaseError(
            "Đã hết số hồ sơ trong ngày (more than 9999 dossiers in one day for this agency)"
        )
    return int(value)


def format_dossier_code(agency_code: str, day: date, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def create_dossier_in(
    session: Session,
    agency_code: str,
    *,
    procedure_code: str | None = None,
    received_at: datetime | None = None,
    promised_date: date | None = None,
    actor: str,
) -> Dossier:
    """Create a dossier inside the caller's write transaction (so it commits with its content)."""
    agency = get_or_create_agency(session, agency_code)
    procedure = get_procedure(session, procedure_code) if procedure_code else None
    received = received_at or utcnow()
    day = receipt_day(received)
    number = next_sequence(session, agency.id, day)
    dossier = Dossier(
        code=format_dossier_code(agency.code, day, number),
        agency_id=agency.id,
        procedure_id=procedure.id if procedure else None,
        received_at=received,
        promised_date=promised_date,
        status=DossierStatus.RECEIVED.value,
    )
    session.add(dossier)
    session.flush()
    audit(
        session,
        "dossier.received",
        actor=actor,
        dossier_id=dossier.id,
        code=dossier.code,
        procedure=procedure_code,
    )
    return dossier


def create_dossier(
    engine: Engine,
    agency_code: str,
    *,
    procedure_code: str | None = None,
    received_at: datetime | None = None,
    promised_date: date | None = None,
    actor: str,
    attempts: int = 8,
) -> str:
    """Create a dossier in its own transaction and return its code; retried on conflicts."""

    def work(session: Session) -> str:
        dossier = create_dossier_in(
            session,
            agency_code,
            procedure_code=procedure_code,
            received_at=received_at,
            promised_date=promised_date,
            actor=actor,
        )
        return dossier.code

    for attempt in range(attempts):
        try:
            return run_in_transaction(engine, work)
        except IntegrityError:
            # Two creators of the same agency row (or code) at once: the next try sees it.
            if attempt == attempts - 1:
                raise DatabaseError("Không cấp được mã hồ sơ (could not issue a dossier code)") from None
    raise AssertionError("unreachable")


def set_status(session: Session, dossier: Dossier, status: DossierStatus, *, actor: str) -> None:
    previous = dossier.status
    dossier.status = status.value
    if status in (DossierStatus.FINISHED, DossierStatus.RETURNED) and dossier.finished_at is None:
        dossier.finished_at = utcnow()
    audit(
        session, "dossier.status", actor=actor, dossier_id=dossier.id, previous=previous, status=status.value
    )
