"""What a receipt needs of the catalogue and the agency, read in one statement and kept briefly.

A receipt reads the procedure (name, time limit, fee, required components) and the agency (id,
name) on every request; they change only when a catalogue is imported or an agency renamed.
``ReceiptCatalogue`` reads each once (procedure and components in ONE joined statement) and keeps
the snapshot for ``ttl`` seconds, so a running server sees an import within that time. It is
owned by its caller (the API context), never module-global: tests open many databases.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from storage.db.dossiers import check_procedure_code, get_or_create_agency
from storage.db.errors import NotFoundError
from storage.db.models import Agency, Procedure, ProcedureRequirement

DEFAULT_TTL = 30.0


@dataclass(frozen=True)
class Requirement:
    doc_type: str
    label: str | None
    original_required: bool


@dataclass(frozen=True)
class ProcedureInfo:
    """A procedure of the catalogue as a receipt uses it (a plain value, safe to share)."""

    id: int
    code: str
    name: str
    processing_days: int | None
    fee_vnd: int | None
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    code: str
    name: str


_PROCEDURE_QUERY = (
    select(
        Procedure.id,
        Procedure.code,
        Procedure.name,
        Procedure.processing_days,
        Procedure.fee_vnd,
        ProcedureRequirement.doc_type,
        ProcedureRequirement.label,
        ProcedureRequirement.original_required,
    )
    .outerjoin(ProcedureRequirement, ProcedureRequirement.procedure_id == Procedure.id)
    .where(Procedure.code == bindparam("code"))
    .order_by(ProcedureRequirement.position, ProcedureRequirement.doc_type)
)
_AGENCY_QUERY = select(Agency.id, Agency.code, Agency.name).where(Agency.code == bindparam("code"))


def read_procedure(conn: Connection | Session, code: str) -> ProcedureInfo:
    """The procedure ``code`` with its components, in one round trip."""
    check_procedure_code(code)
    rows = conn.execute(_PROCEDURE_QUERY, {"code": code}).all()
    if not rows:
        raise NotFoundError(f"Không tìm thấy thủ tục {code} (unknown procedure)")
    first = rows[0]
    return ProcedureInfo(
        id=first.id,
        code=first.code,
        name=first.name,
        processing_days=first.processing_days,
        fee_vnd=first.fee_vnd,
        requirements=tuple(
            Requirement(r.doc_type, r.label, bool(r.original_required))
            for r in rows
            if r.doc_type is not None
        ),
    )


def read_agency(session: Session, code: str) -> AgencyInfo:
    """The agency ``code``, created (unnamed) on first use as intake does."""
    row = session.execute(_AGENCY_QUERY, {"code": code}).first()
    if row is None:
        agency = get_or_create_agency(session, code)
        return AgencyInfo(agency.id, agency.code, agency.name or "")
    return AgencyInfo(row.id, row.code, row.name or "")


@dataclass
class ReceiptCatalogue:
    """Procedure and agency snapshots for the receipt hot path, each kept ``ttl`` seconds."""

    ttl: float = DEFAULT_TTL
    _entries: dict[tuple[str, str], tuple[float, Any]] = field(default_factory=dict)

    def _get(self, kind: str, code: str) -> Any:
        entry = self._entries.get((kind, code))
        if entry is not None and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        return None

    def procedure(self, session: Session, code: str) -> ProcedureInfo:
        found = self._get("procedure", code)
        if found is None:
            found = read_procedure(session, code)
            self._entries[("procedure", code)] = (time.monotonic(), found)
        return found  # type: ignore[no-any-return]

    def agency(self, session: Session, code: str) -> AgencyInfo:
        found = self._get("agency", code)
        if found is None:
            found = read_agency(session, code)
            self._entries[("agency", code)] = (time.monotonic(), found)
        return found  # type: ignore[no-any-return]

    def forget_agency(self, code: str) -> None:
        self._entries.pop(("agency", code), None)
