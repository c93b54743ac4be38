"""Not asking twice: what the store already holds for a citizen or an enterprise.

A document counts as held when it is still valid (no expiry date, or not yet expired) and comes
from a digitised or signed source. Filling a dossier component from a held document records
``reused=True``: the Decision 766 indicator counts those.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Date, Engine, Select, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db.dossiers import VIETNAM_TZ, audit, get_dossier, get_procedure
from storage.db.errors import BadInputError, NotFoundError
from storage.db.models import (
    OWNER_ID_RE,
    Document,
    DocumentOwner,
    DocumentSource,
    DocumentVersion,
    Dossier,
    DossierComponent,
    ExtractedField,
    VersionKind,
    utcnow,
)

MAX_ID_INPUT = 64
HELD_SOURCES = (DocumentSource.DIGITISED.value, DocumentSource.SIGNED.value)


class HeldDocument(BaseModel):
    doc_type: str
    document_id: str
    dossier: str | None
    signed: bool
    fields: dict[str, str] = Field(default_factory=dict)
    source: str = DocumentSource.DIGITISED.value
    expiry_date: date | None = None


class LookupResult(BaseModel):
    """Exactly the object of interfaces.md (``owner``, ``held``, ``missing``), plus extras."""

    owner: str
    held: list[HeldDocument] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    procedure: str | None = None


def validate_owner_id(raw: str) -> str:
    """A personal id number (12 digits) or an enterprise code (10 digits, optional ``-NNN``).

    Messages never repeat the input: it may be a personal id number.
    """
    if len(raw) > MAX_ID_INPUT:
        raise BadInputError("Mã định danh quá dài (id too long): tối đa 14 ký tự")
    value = raw.strip()
    if not OWNER_ID_RE.fullmatch(value):
        raise BadInputError(
            "Mã định danh không hợp lệ (invalid id): phải là số định danh cá nhân 12 chữ số "
            "hoặc mã số doanh nghiệp 10 chữ số (có thể thêm -NNN)"
        )
    return value


def today_in_vietnam() -> date:
    return utcnow().astimezone(VIETNAM_TZ).date()


def _signed() -> ColumnElement[bool]:
    """A signed source, or a document with a signed version: offered before the others."""
    signed_version = exists().where(
        DocumentVersion.document_id == Document.id, DocumentVersion.kind == VersionKind.SIGNED.value
    )
    return or_(Document.source == DocumentSource.SIGNED.value, signed_version)


def _held_on(today: Any) -> tuple[ColumnElement[bool], ...]:
    """What "held" means everywhere: digitised or signed, and not expired on ``today``."""
    return (
        Document.source.in_(HELD_SOURCES),
        or_(Document.expiry_date.is_(None), Document.expiry_date >= today),
    )


def _build_held_query() -> Select:  # type: ignore[type-arg]
    """Held documents of an owner with their fields, in ONE round trip (built once, cached).

    document_owners (owner_id, …) primary-key range → documents by primary key → fields by
    (document_id, key): index seeks all the way; ``explain_lookup`` shows it.
    """
    return (
        select(
            Document.id,
            Document.doc_type,
            Document.source,
            Document.expiry_date,
            Dossier.code,
            _signed().label("signed"),
            ExtractedField.key,
            ExtractedField.value,
        )
        .select_from(DocumentOwner)
        .join(Document, Document.id == DocumentOwner.document_id)
        .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        .outerjoin(ExtractedField, ExtractedField.document_id == Document.id)
        .where(
            DocumentOwner.owner_id == bindparam("owner"),
            *_held_on(bindparam("today", type_=Date)),
        )
        .order_by(Document.doc_type, Document.id.desc(), ExtractedField.id)
    )


_HELD_QUERY = _build_held_query()


def _build_offer_query() -> Select:  # type: ignore[type-arg]
    """Held documents of an owner among some types, without their fields (what a receipt offers).

    One statement for every component of the procedure: the same index seeks as the lookup,
    minus the fields join (ten rows per document) the receipt never shows.
    """
    return (
        select(
            Document.id,
            Document.doc_type,
            Dossier.code,
            _signed().label("signed"),
        )
        .select_from(DocumentOwner)
        .join(Document, Document.id == DocumentOwner.document_id)
        .outerjoin(Dossier, Dossier.id == Document.dossier_id)
        .where(
            DocumentOwner.owner_id == bindparam("owner"),
            Document.doc_type.in_(bindparam("types", expanding=True)),
            *_held_on(bindparam("today", type_=Date)),
        )
    )


_OFFER_QUERY = _build_offer_query()


@dataclass(frozen=True)
class Offer:
    """The held document offered for one component: signed first, then the newest."""

    doc_type: str
    document_id: int
    dossier: str | None
    signed: bool


def best_offers(
    session: Session, owner: str, doc_types: Sequence[str], *, today: date, exclude_dossier: str | None = None
) -> dict[str, Offer]:
    """Per type in ``doc_types``, the held document of ``owner`` to offer (one statement)."""
    if not doc_types:
        return {}
    best: dict[str, Offer] = {}
    for document_id, doc_type, dossier_code, signed in session.connection().execute(
        _OFFER_QUERY, {"owner": owner, "types": list(doc_types), "today": today}
    ):
        if exclude_dossier is not None and dossier_code == exclude_dossier:
            continue
        item = Offer(doc_type, int(document_id), dossier_code, bool(signed))
        current = best.get(doc_type)
        if current is None or (item.signed, item.document_id) > (current.signed, current.document_id):
            best[doc_type] = item
    return best


def explain_lookup(engine: Engine, owner: str, *, today: date | None = None) -> str:
    """The database's plan for the lookup query (benchmarks and tests check the index)."""
    query = _HELD_QUERY.params(owner=validate_owner_id(owner), today=today or today_in_vietnam())
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + str(compiled)).all()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def lookup(
    session: Session, owner: str, procedure_code: str | None = None, *, today: date | None = None
) -> LookupResult:
    owner = validate_owner_id(owner)
    procedure = get_procedure(session, procedure_code) if procedure_code else None
    today = today or today_in_vietnam()
    held: dict[int, HeldDocument] = {}
    for document_id, doc_type, source, expiry, dossier_code, signed, key, value in session.execute(
        _HELD_QUERY, {"owner": owner, "today": today}
    ):
        item = held.get(document_id)
        if item is None:
            item = held[document_id] = HeldDocument(
                doc_type=doc_type,
                document_id=str(document_id),
                dossier=dossier_code,
                signed=bool(signed),
                source=source,
                expiry_date=expiry,
            )
        if key is not None and value is not None:
            item.fields[key] = value
    held_types = {h.doc_type for h in held.values()}
    missing = [t for t in procedure.required_doc_types if t not in held_types] if procedure else []
    return LookupResult(owner=owner, held=list(held.values()), missing=missing, procedure=procedure_code)


def reuse_document(
    session: Session,
    dossier_code: str,
    document_id: int,
    *,
    actor: str,
    doc_type: str | None = None,
    today: date | None = None,
) -> DossierComponent:
    """Fill a component of a dossier with a document the store already holds (no new scan)."""
    dossier = get_dossier(session, dossier_code)
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError("Không tìm thấy tài liệu (unknown document)")
    today = today or today_in_vietnam()
    if document.source not in HELD_SOURCES or (document.expiry_date and document.expiry_date < today):
        raise BadInputError(
            "Tài liệu đã hết hạn hoặc không dùng lại được (document expired or not reusable)"
        )
    component = DossierComponent(
        dossier_id=dossier.id, doc_type=doc_type or document.doc_type, document_id=document.id, reused=True
    )
    try:
        with session.begin_nested():
            session.add(component)
            session.flush()
    except IntegrityError:
        raise BadInputError("Tài liệu này đã có trong hồ sơ (document already in the dossier)") from None
    audit(
        session,
        "component.reused",
        actor=actor,
        dossier_id=dossier.id,
        document_id=document.id,
        doc_type=component.doc_type,
    )
    return component


# The JSON of interfaces.md: these keys, in this order, and nothing renamed.
HELD_KEYS = ("doc_type", "document_id", "dossier", "signed", "fields")


def lookup_json(result: LookupResult) -> str:
    """The lookup answer as interfaces.md fixes it, the same for ``sohoa lookup`` and the API."""
    data = {
        "owner": result.owner,
        "held": [{k: getattr(h, k) for k in HELD_KEYS} for h in result.held],
        "missing": result.missing,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _same_value(a: str, b: str) -> bool:
    return "".join(a.split()).upper() == "".join(b.split()).upper()


def find_held_copy(
    session: Session,
    doc_type: str,
    owners: Sequence[str],
    number_fields: Sequence[str],
    fields: dict[str, str],
    *,
    today: date,
) -> int | None:
    """The held document that a freshly extracted one is a rescan of, or None.

    Same type, every owner id among its owners, and the type's number fields (the registry's
    ``number_fields``) equal, ignoring spaces and case; held means valid and digitised or
    signed, as for the lookup. Without owners or number values nothing is matched: two papers
    are only the same paper when their numbers say so.
    """
    wanted = {key: fields.get(key) or "" for key in number_fields}
    if not owners or not wanted or not all(wanted.values()):
        return None
    candidates = list(
        session.scalars(
            select(Document.id)
            .join(DocumentOwner, DocumentOwner.document_id == Document.id)
            .where(
                DocumentOwner.owner_id == owners[0],
                Document.doc_type == doc_type,
                *_held_on(today),
            )
            .order_by(Document.id.desc())
        )
    )
    if not candidates:
        return None
    values: dict[int, dict[str, str]] = {}
    for document_id, key, value in session.execute(
        select(ExtractedField.document_id, ExtractedField.key, ExtractedField.value).where(
            ExtractedField.document_id.in_(candidates), ExtractedField.key.in_(list(wanted))
        )
    ):
        values.setdefault(document_id, {})[key] = value or ""
    owned: dict[int, set[str]] = {}
    for document_id, owner_id in session.execute(
        select(DocumentOwner.document_id, DocumentOwner.owner_id).where(
            DocumentOwner.document_id.in_(candidates)
        )
    ):
        owned.setdefault(document_id, set()).add(owner_id)
    for document_id in candidates:
        held = values.get(document_id, {})
        if set(owners) <= owned.get(document_id, set()) and all(
            _same_value(held.get(k, ""), v) for k, v in wanted.items()
        ):
            return document_id
    return None
