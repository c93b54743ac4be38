"""Purpose-bound reads of personal data, and their record (Decree 13/2023/NĐ-CP).

Reuse across agencies is the point of the system ("never ask a citizen twice"), but each read
needs a purpose and leaves a trace. A lookup names the dossier it serves (one of the caller's
agencies' dossiers holding a document of that person) or declares another legal basis; without
either, a caller limited to some agencies sees only what those agencies hold. Every lookup and
every answer that shows personal fields (``record_shown``: a document, a dossier's page, the review
queue, a search, a page image: ``record_page_shown``) is written to ``personal_data_access``
(append-only), which ``sohoa access-log`` and ``/access-log`` list: the record a citizen can be
shown. The rows go in through
``storage.db.access_rows`` with the request's read, committed before the answer leaves
(callers run under ``run_recorded_read``); that module states the durability guarantee.

HTTP and CLI call these functions; they know nothing of either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from config.errors import ExitCode, SohoaError
from pipeline.legal_bases import check_legal_basis, check_legal_reference, label_of
from pipeline.reuse import LookupResult, lookup, validate_owner_id
from storage.db.access_rows import AccessRow, append_access_rows
from storage.db.errors import BadInputError, NotFoundError
from storage.db.models import Agency, Document, DocumentOwner, Dossier, DossierComponent
from storage.db.security_models import PersonalDataAccess

MAX_LISTED = 1000


class PurposeRefusedError(SohoaError):
    """The purpose given does not cover this person's data (the answer never repeats the id)."""

    exit_code = ExitCode.BAD_ARGS


@dataclass(frozen=True)
class Reader:
    """Who reads: ``actor`` as the audit log names it; ``agencies`` None means every agency."""

    actor: str
    agencies: frozenset[str] | None = None

    def may_see(self, agency_code: str | None) -> bool:
        if self.agencies is None:
            return True
        return agency_code is not None and agency_code in self.agencies


@dataclass(frozen=True)
class Purpose:
    """Why the data is read: the dossier it serves, or another declared legal basis; either may
    cite the specific law and article (``legal_reference``), which is recorded, never a ground."""

    dossier: str | None = None
    legal_basis: str | None = None
    legal_reference: str | None = None

    def checked(self) -> Purpose:
        if self.dossier is None and self.legal_basis is None and self.legal_reference is None:
            return self  # none declared: nothing to check (every lookup without a purpose)
        basis = check_legal_basis(self.legal_basis)
        reference = check_legal_reference(self.legal_reference)
        dossier = (self.dossier or "").strip() or None
        if dossier is not None and len(dossier) > 64:
            raise NotFoundError("Không tìm thấy hồ sơ (dossier not found)")
        if reference is not None and basis is None and dossier is None:
            # A cited article alone would read as a ground that widens access: it is not one.
            raise BadInputError(
                "Căn cứ cụ thể đi kèm một căn cứ pháp lý hoặc một hồ sơ (a legal reference needs a "
                "legal basis or a dossier)"
            )
        return Purpose(dossier, basis, reference)


class AccessEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    dossier: str | None
    legal_basis: str | None
    legal_basis_label: str | None = None  # Vietnamese; None for free text written before the list
    legal_reference: str | None = None  # the law and article the reader cited
    document_id: str | None
    page: int | None = None  # the page a page image showed
    documents: int
    fields: list[str]


def cli_actor(as_user: str | None) -> str:
    """How a command-line reader is recorded: ``--as`` if given, else the OS account."""
    import getpass

    name = (as_user or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return f"os:{name}"[:128]


def governed_lookup(
    session: Session, reader: Reader, owner: str, procedure: str | None, purpose: Purpose
) -> LookupResult:
    """``reuse.lookup`` limited by purpose, and recorded in the same transaction."""
    owner_id = validate_owner_id(owner)
    purpose = purpose.checked()
    if purpose.dossier is not None:
        _check_dossier_purpose(session, reader, owner_id, purpose.dossier)
    result = lookup(session, owner_id, procedure)
    if purpose.dossier is None and purpose.legal_basis is None and reader.agencies is not None:
        _keep_own_agencies(session, reader, result)
    fields = {key for held in result.held for key in held.fields}
    # With the caller's read, committed before the answer leaves (storage.db.access_rows
    # states the guarantee): one prepared INSERT, no ORM on this hot path.
    append_access_rows(
        session,
        [
            AccessRow(
                actor=reader.actor,
                action="lookup",
                owner_id=owner_id,
                dossier_code=purpose.dossier,
                legal_basis=purpose.legal_basis,
                legal_reference=purpose.legal_reference,
                fields=sorted(fields),
                documents=len(result.held),
            )
        ],
    )
    return result


@dataclass(frozen=True)
class Shown:
    """One document whose personal fields an answer shows, and the people they concern."""

    document_id: int
    dossier_code: str | None
    owners: frozenset[str]
    fields: frozenset[str]


def owners_of(session: Session, documents: Iterable[Document]) -> dict[int, frozenset[str]]:
    """Every person each document concerns (its owners, else its main owner), in one query."""
    by_id = {d.id: d for d in documents}
    owners: dict[int, set[str]] = {i: set() for i in by_id}
    if by_id:
        rows = session.execute(
            select(DocumentOwner.document_id, DocumentOwner.owner_id).where(
                DocumentOwner.document_id.in_(sorted(by_id))
            )
        )
        for document_id, owner_id in rows:
            owners[document_id].add(owner_id)
    for document_id, found in owners.items():
        main_owner = by_id[document_id].owner_id
        if not found and main_owner:
            found.add(main_owner)
    return {i: frozenset(o) for i, o in owners.items()}


def record_shown(
    session: Session, actor: str, action: str, shown: Iterable[Shown], *, searched: str | None = None
) -> None:
    """Record what an answer shows: a row per person and dossier, in one INSERT.

    ``searched`` is the person a search named: recorded even when nothing was found, since the
    answer still says something about them.
    """
    groups: dict[tuple[str, str | None], list[Shown]] = {}
    for item in shown:
        if not item.fields:
            continue
        for owner_id in item.owners:
            groups.setdefault((owner_id, item.dossier_code), []).append(item)
    rows = [
        AccessRow(
            actor=actor,
            action=action,
            owner_id=owner_id,
            dossier_code=dossier_code,
            document_id=items[0].document_id if len({i.document_id for i in items}) == 1 else None,
            fields=sorted(set().union(*(i.fields for i in items))),
            documents=len({i.document_id for i in items}),
        )
        for (owner_id, dossier_code), items in sorted(groups.items(), key=_group_order)
    ]
    if searched is not None and not any(r.owner_id == searched for r in rows):
        rows.append(AccessRow(actor=actor, action=action, owner_id=searched, fields=[], documents=0))
    append_access_rows(session, rows)


def _group_order(item: tuple[tuple[str, str | None], list[Shown]]) -> tuple[str, str]:
    (owner_id, dossier_code), _ = item
    return owner_id, dossier_code or ""


def record_document_read(session: Session, actor: str, document: Document, fields: list[str]) -> None:
    """A read of a document's fields, recorded once for each of its owners."""
    dossier_code = document.dossier.code if document.dossier is not None else None
    owners = owners_of(session, [document])[document.id]
    record_shown(
        session, actor, "document.read", [Shown(document.id, dossier_code, owners, frozenset(fields))]
    )


PAGE_IMAGE = "page_image"  # what a page image shows: the page as scanned, every field on it


def record_page_shown(
    session: Session, actor: str, document_id: int, page: int, owners: Iterable[str], dossier_code: str | None
) -> None:
    """A page image was served: one row per person the document concerns, naming the page."""
    append_access_rows(
        session,
        [
            AccessRow(
                actor=actor,
                action="document.page",
                owner_id=owner_id,
                dossier_code=dossier_code,
                document_id=document_id,
                page=page,
                fields=[PAGE_IMAGE],
                documents=1,
            )
            for owner_id in sorted(set(owners))
        ],
    )


def accesses_of(session: Session, owner: str, *, limit: int = MAX_LISTED) -> list[AccessEntry]:
    """Every recorded read of ``owner``'s data, oldest first."""
    owner_id = validate_owner_id(owner)
    rows = session.scalars(
        select(PersonalDataAccess)
        .where(PersonalDataAccess.owner_id == owner_id)
        .order_by(PersonalDataAccess.at, PersonalDataAccess.id)
        .limit(max(1, min(limit, MAX_LISTED)))
    )
    return [
        AccessEntry(
            at=row.at,
            actor=row.actor,
            action=row.action,
            dossier=row.dossier_code,
            legal_basis=row.legal_basis,
            legal_basis_label=label_of(row.legal_basis),
            legal_reference=row.legal_reference,
            document_id=str(row.document_id) if row.document_id is not None else None,
            page=row.page,
            documents=row.documents,
            fields=list(row.fields),
        )
        for row in rows
    ]


def _check_dossier_purpose(session: Session, reader: Reader, owner_id: str, code: str) -> None:
    """The dossier is one of the reader's agencies' and holds a document of that person."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not reader.may_see(dossier.agency.code):
        raise NotFoundError("Không tìm thấy hồ sơ (dossier not found)")
    components = select(DossierComponent.document_id).where(DossierComponent.dossier_id == dossier.id)
    in_dossier = or_(Document.dossier_id == dossier.id, Document.id.in_(components))
    concerned = session.scalar(
        select(DocumentOwner.document_id)
        .join(Document, Document.id == DocumentOwner.document_id)
        .where(DocumentOwner.owner_id == owner_id, in_dossier)
        .limit(1)
    )
    if concerned is None:
        raise PurposeRefusedError(
            "Hồ sơ này không có giấy tờ của người được tra cứu: không dùng làm mục đích tra cứu "
            "(the dossier does not concern this person)"
        )


def _keep_own_agencies(session: Session, reader: Reader, result: LookupResult) -> None:
    codes = {h.dossier for h in result.held if h.dossier}
    agency_of: dict[str, str] = {}
    if codes:
        rows = session.execute(
            select(Dossier.code, Agency.code).join(Agency, Agency.id == Dossier.agency_id)
            .where(Dossier.code.in_(codes))
        )
        agency_of = {dossier_code: agency_code for dossier_code, agency_code in rows}
    result.held = [h for h in result.held if reader.may_see(agency_of.get(h.dossier or ""))]
    if result.procedure is not None:
        held_types = {h.doc_type for h in result.held}
        # Types held only by other agencies now count as missing for this caller.
        result.missing = [t for t in _required(session, result.procedure) if t not in held_types]


def _required(session: Session, procedure_code: str) -> list[str]:
    from storage.db.dossiers import get_procedure

    return get_procedure(session, procedure_code).required_doc_types
