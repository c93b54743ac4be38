"""Receipt, reuse first: what is held is offered before anything is scanned.

``receive`` issues the dossier code (``storage.db.dossiers``: national format, per agency and
day), computes the promised date in working days and looks up, for each component the procedure
requires, a document the state already holds for the applicant (valid, not expired, digitised or
signed here: ``pipeline.reuse``). The clerk confirms reuse per component with one action
(``reuse_components``, or ``reuse`` at receipt); only what is still missing is scanned.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pipeline.dossier.lifecycle import LABELS_VI, State, get_case
from pipeline.dossier.snapshot import AgencyInfo, ReceiptCatalogue
from pipeline.dossier.workdays import add_working_days
from pipeline.reuse import (
    HeldDocument,
    best_offers,
    lookup,
    reuse_document,
    today_in_vietnam,
    validate_owner_id,
)
from storage.db.dossier_cases import DossierCase
from storage.db.dossiers import (
    audit_rows,
    check_agency_code,
    format_dossier_code,
    next_sequence,
    receipt_day,
)
from storage.db.errors import BadInputError
from storage.db.models import (
    Agency,
    AuditEntry,
    Document,
    DocumentVersion,
    Dossier,
    DossierComponent,
    DossierStatus,
    VersionKind,
    utcnow,
)

PHONE_CHARS = set("0123456789+ ")
MAX_NAME = 255
TOKEN_BYTES = 24  # 192 bits: the citizen link cannot be guessed


class ComponentStatus(BaseModel):
    """One required component of the dossier and where it stands."""

    doc_type: str
    label: str | None = None
    original_required: bool = False
    status: str
    """``reused`` (filled from a held document), ``received`` (scanned for this dossier),
    ``held`` (a held document is offered, not yet confirmed), ``missing`` (to be scanned)"""
    document_id: int | None = None
    signed: bool = False
    held_document_id: int | None = None
    held_from: str | None = None


class DossierView(BaseModel):
    code: str
    token: str
    agency: str
    agency_name: str | None = None
    procedure: str | None
    procedure_name: str | None
    processing_days: int | None
    fee_vnd: int | None
    applicant_id: str
    applicant_name: str | None
    applicant_phone: str | None
    received_at: datetime
    received_by: str
    promised_date: date | None
    state: str
    state_label: str
    components: list[ComponentStatus] = Field(default_factory=list)
    extra_documents: list[int] = Field(default_factory=list)
    result_document_id: int | None = None
    timeline: list[dict[str, object]] = Field(default_factory=list)

    @property
    def reused(self) -> list[ComponentStatus]:
        return [c for c in self.components if c.status == "reused"]

    @property
    def missing(self) -> list[ComponentStatus]:
        return [c for c in self.components if c.status in ("missing", "held")]


def _check_name(name: str | None) -> str | None:
    name = (name or "").strip() or None
    if name is not None and len(name) > MAX_NAME:
        raise BadInputError("Họ tên quá dài (name longer than 255 characters)")
    return name


def _check_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip() or None
    if phone is not None and (not set(phone) <= PHONE_CHARS or not 8 <= len(phone) <= 20):
        raise BadInputError("Số điện thoại không hợp lệ (invalid phone number)")
    return phone


def _signed_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(DocumentVersion.document_id).where(
                DocumentVersion.document_id.in_(ids), DocumentVersion.kind == VersionKind.SIGNED.value
            )
        )
    )


def _best_held(held: list[HeldDocument], dossier_code: str) -> dict[str, HeldDocument]:
    """Per document type, the held document to offer: signed first, then the newest."""
    best: dict[str, HeldDocument] = {}
    for item in held:
        if item.dossier == dossier_code:
            continue
        current = best.get(item.doc_type)
        if (
            current is None
            or (item.signed and not current.signed)
            or (item.signed == current.signed and int(item.document_id) > int(current.document_id))
        ):
            best[item.doc_type] = item
    return best


def dossier_view(
    session: Session,
    code: str,
    *,
    today: date | None = None,
    held: dict[str, HeldDocument] | None = None,
    timeline: bool = True,
) -> DossierView:
    """The dossier as the clerk and the citizen see it: components, state, timeline.

    ``held``: the offers already looked up in this transaction (receipt looks up once).
    """
    dossier, case = get_case(session, code)
    procedure = dossier.procedure
    components = list(dossier.components)
    by_type: dict[str, list[tuple[int, bool]]] = {}
    for c in components:
        by_type.setdefault(c.doc_type, []).append((c.document_id, c.reused))
    signed = _signed_ids(session, [c.document_id for c in components])
    signed_sources = (
        set(
            session.scalars(
                select(Document.id).where(
                    Document.id.in_([c.document_id for c in components]), Document.source == "signed"
                )
            )
        )
        if components
        else set()
    )
    signed |= signed_sources
    required = list(procedure.requirements) if procedure else []
    if held is None and any(r.doc_type not in by_type for r in required):
        found = lookup(session, case.applicant_id, today=today or today_in_vietnam())
        held = _best_held(found.held, dossier.code)
    held = held or {}
    statuses: list[ComponentStatus] = []
    for r in required:
        filled = by_type.pop(r.doc_type, None)
        base = {"doc_type": r.doc_type, "label": r.label, "original_required": r.original_required}
        if filled:
            document_id, reused = filled[0]
            statuses.append(
                ComponentStatus(
                    **base,
                    status="reused" if reused else "received",
                    document_id=document_id,
                    signed=document_id in signed,
                )
            )
        elif r.doc_type in held:
            h = held[r.doc_type]
            statuses.append(
                ComponentStatus(
                    **base,
                    status="held",
                    held_document_id=int(h.document_id),
                    held_from=h.dossier,
                    signed=h.signed,
                )
            )
        else:
            statuses.append(ComponentStatus(**base, status="missing"))
    for doc_type, filled in by_type.items():  # scanned but not required by the procedure
        for document_id, reused in filled:
            statuses.append(
                ComponentStatus(
                    doc_type=doc_type,
                    status="reused" if reused else "received",
                    document_id=document_id,
                    signed=document_id in signed,
                )
            )
    history = (
        [
            {"at": at, "actor": actor, "action": action, "document_id": document_id, **(details or {})}
            for at, actor, action, document_id, details in session.execute(
                select(
                    AuditEntry.at,
                    AuditEntry.actor,
                    AuditEntry.action,
                    AuditEntry.document_id,
                    AuditEntry.details,
                )
                .where(AuditEntry.dossier_id == dossier.id)
                .order_by(AuditEntry.id)
            )
        ]
        if timeline
        else []
    )
    component_ids = {c.document_id for c in components}
    extra = [
        d
        for d in session.scalars(select(Document.id).where(Document.dossier_id == dossier.id))
        if d not in component_ids
    ]
    state = State(case.state)
    return DossierView(
        code=dossier.code,
        token=case.token,
        agency=dossier.agency.code,
        agency_name=dossier.agency.name or None,
        procedure=procedure.code if procedure else None,
        procedure_name=procedure.name if procedure else None,
        processing_days=procedure.processing_days if procedure else None,
        fee_vnd=procedure.fee_vnd if procedure else None,
        applicant_id=case.applicant_id,
        applicant_name=case.applicant_name,
        applicant_phone=case.applicant_phone,
        received_at=dossier.received_at,
        received_by=case.received_by,
        promised_date=dossier.promised_date,
        state=state.value,
        state_label=LABELS_VI[state],
        components=statuses,
        extra_documents=extra,
        result_document_id=case.result_document_id,
        timeline=history,
    )


def reuse_components(
    session: Session,
    code: str,
    doc_types: Iterable[str] | None,
    *,
    actor: str,
    today: date | None = None,
) -> list[ComponentStatus]:
    """Confirm reuse of the held documents offered for ``doc_types`` (``None``: every one offered).

    A type named that has nothing held is an error, so the clerk knows it must be scanned.
    """
    view = dossier_view(session, code, today=today, timeline=False)
    wanted = _reuse(session, view, doc_types, actor=actor, today=today)
    session.expire(get_case(session, code)[0], ["components"])
    return [
        c for c in dossier_view(session, code, today=today, timeline=False).components if c.doc_type in wanted
    ]


def _reuse(
    session: Session, view: DossierView, doc_types: Iterable[str] | None, *, actor: str, today: date | None
) -> list[str]:
    """Link the held documents offered in ``view`` for ``doc_types``; returns the types asked for."""
    code = view.code
    offered = {c.doc_type: c for c in view.components if c.status == "held"}
    wanted = list(offered) if doc_types is None else list(dict.fromkeys(doc_types))
    for doc_type in wanted:
        if doc_type not in offered:
            already = any(
                c.doc_type == doc_type and c.status in ("reused", "received") for c in view.components
            )
            if already:
                continue
            raise BadInputError(
                f"Không có giấy tờ {doc_type} đã lưu để dùng lại (nothing held for this component): "
                "cần quét bản giấy"
            )
        held_id = offered[doc_type].held_document_id
        assert held_id is not None
        reuse_document(session, code, held_id, actor=actor, doc_type=doc_type, today=today)
    session.flush()
    return wanted


_INSERT_DOSSIER = insert(Dossier).returning(Dossier.id)
_INSERT_CASE = insert(DossierCase)
_INSERT_COMPONENTS = insert(DossierComponent)
def receive(
    session: Session,
    *,
    agency: str,
    procedure: str,
    applicant_id: str,
    actor: str,
    applicant_name: str | None = None,
    applicant_phone: str | None = None,
    reuse: Iterable[str] | None = (),
    received_at: datetime | None = None,
    agency_name: str | None = None,
    catalogue: ReceiptCatalogue | None = None,
) -> DossierView:
    """Open a dossier in the caller's write transaction and apply the confirmed reuse.

    ``reuse``: the component types whose held document the clerk confirmed; ``None`` confirms
    every one offered (``--reuse-all``), an empty list none (the clerk decides later).
    ``catalogue``: the caller's snapshots of procedures and agencies (the API keeps one per
    process); without it both are read in this transaction.

    The hot path of the one-stop shop, so it is written as a handful of statements: the day's
    counter (one upsert), the dossier, its receipt record, ONE offer query for every required
    component, the reused components and all audit entries (one statement each); the view is
    built from what was written, not read back.
    """
    applicant = validate_owner_id(applicant_id)
    name = _check_name(applicant_name)
    phone = _check_phone(applicant_phone)
    agency_name = _check_name(agency_name)
    snapshots = catalogue or ReceiptCatalogue(ttl=0)
    proc = snapshots.procedure(session, procedure)
    office = snapshots.agency(session, check_agency_code(agency))
    received = received_at or utcnow()
    day = receipt_day(received)
    promised = add_working_days(day, proc.processing_days) if proc.processing_days is not None else None
    if agency_name and not office.name:  # the agency's record names it on slips and stamps
        record = session.get(Agency, office.id)
        if record is not None and not record.name:
            record.name = agency_name
            session.flush()
        snapshots.forget_agency(office.code)
        office = AgencyInfo(office.id, office.code, record.name if record is not None else agency_name)
    number = next_sequence(session, office.id, day)
    conn = session.connection()  # Core from here on: the ORM's bulk machinery costs more than the SQL
    code = format_dossier_code(office.code, day, number)
    dossier_id = conn.execute(
        _INSERT_DOSSIER,
        {
            "code": code,
            "agency_id": office.id,
            "procedure_id": proc.id,
            "received_at": received,
            "promised_date": promised,
            "status": DossierStatus.RECEIVED.value,
        },
    ).scalar_one()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    conn.execute(
        _INSERT_CASE,
        {
            "dossier_id": dossier_id,
            "state": State.RECEIVED.value,
            "applicant_id": applicant,
            "applicant_name": name,
            "applicant_phone": phone,
            "token": token,
            "received_by": actor,
            "clock_start": day,
            "updated_at": received,
        },
    )
    required = [r.doc_type for r in proc.requirements]
    offers = best_offers(session, applicant, required, today=day, exclude_dossier=code)
    wanted = list(offers) if reuse is None else list(dict.fromkeys(reuse))
    for doc_type in wanted:
        if doc_type not in offers:
            raise BadInputError(
                f"Không có giấy tờ {doc_type} đã lưu để dùng lại (nothing held for this component): "
                "cần quét bản giấy"
            )
    entries: list[dict[str, object]] = [
        {
            "action": "dossier.received",
            "actor": actor,
            "dossier_id": dossier_id,
            "details": {"code": code, "procedure": proc.code},
        }
    ]
    if wanted:
        conn.execute(
            _INSERT_COMPONENTS,
            [
                {
                    "dossier_id": dossier_id,
                    "doc_type": t,
                    "document_id": offers[t].document_id,
                    "reused": True,
                    "created_at": utcnow(),
                }
                for t in wanted
            ],
        )
        entries += [
            {
                "action": "component.reused",
                "actor": actor,
                "dossier_id": dossier_id,
                "document_id": offers[t].document_id,
                "details": {"doc_type": t},
            }
            for t in wanted
        ]
    audit_rows(session, entries)
    statuses: list[ComponentStatus] = []
    for r in proc.requirements:
        base = {"doc_type": r.doc_type, "label": r.label, "original_required": r.original_required}
        offer = offers.get(r.doc_type)
        if offer is None:
            statuses.append(ComponentStatus(**base, status="missing"))
        elif r.doc_type in wanted:
            statuses.append(
                ComponentStatus(**base, status="reused", document_id=offer.document_id, signed=offer.signed)
            )
        else:
            statuses.append(
                ComponentStatus(
                    **base,
                    status="held",
                    held_document_id=offer.document_id,
                    held_from=offer.dossier,
                    signed=offer.signed,
                )
            )
    return DossierView(
        code=code,
        token=token,
        agency=office.code,
        agency_name=office.name or None,
        procedure=proc.code,
        procedure_name=proc.name,
        processing_days=proc.processing_days,
        fee_vnd=proc.fee_vnd,
        applicant_id=applicant,
        applicant_name=name,
        applicant_phone=phone,
        received_at=received,
        received_by=actor,
        promised_date=promised,
        state=State.RECEIVED.value,
        state_label=LABELS_VI[State.RECEIVED],
        components=statuses,
    )


def token_matches(case: DossierCase, token: str) -> bool:
    return secrets.compare_digest(case.token.encode(), token.encode())


def find_by_token(session: Session, code: str, token: str) -> tuple[Dossier, DossierCase] | None:
    """The dossier for a citizen's link, or None (never says which half was wrong)."""
    if len(token) > 64 or len(code) > 64:
        return None
    try:
        dossier, case = get_case(session, code)
    except Exception:
        return None
    return (dossier, case) if token_matches(case, token) else None
