"""Writing and correcting document records: owners, validity dates, fields, versions.

Everything here runs inside the caller's transaction, so an intake writes a scan, its documents,
fields, owners, versions, dossier components and audit entries all at once or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db.document_text import add_new_text
from storage.db.dossiers import audit
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
    Scan,
    VersionKind,
    utcnow,
)
from storage.objects.base import Bucket, StoredObject

# Which fields name whom a document belongs to, with the owner's role: (field key, role) pairs.
# The document-type registry (pipeline.documents.types) says which, per type; storage is told.
OwnerFields = Sequence[tuple[str, str]]
ISSUE_DATE_FIELDS = ("issue_date", "registration_date")
EXPIRY_DATE_FIELDS = ("expiry_date",)


@dataclass
class FieldInput:
    value: str
    confidence: float = 0.0
    needs_review: bool = False


@dataclass
class ObjectRef:
    bucket: str
    key: str
    sha256: str
    size: int

    @classmethod
    def of(cls, stored: StoredObject) -> ObjectRef:
        """Where the store put an object, as a document version or a queue item records it."""
        return cls(bucket=Bucket(stored.bucket).value, key=stored.key, sha256=stored.sha256, size=stored.size)


@dataclass
class DocumentInput:
    """What intake knows about one document of a scan once its objects are stored."""

    doc_type: str
    pages: list[int]
    confidence: float
    fields: dict[str, FieldInput]
    searchable: ObjectRef | None = None
    owner_fields: tuple[tuple[str, str], ...] = ()  # from the type's registry entry
    text: str | None = None  # the OCR text, for the staff's full-text search


@dataclass
class ScanInput:
    sha256: str
    filename: str
    size: int
    pages: int
    original: ObjectRef
    documents: list[DocumentInput] = field(default_factory=list)


def document_identity(scan_sha256: str, pages: list[int]) -> str:
    """A stable SHA-256 for the document made of ``pages`` of the scan ``scan_sha256``."""
    return hashlib.sha256(f"{scan_sha256}:{','.join(map(str, pages))}".encode()).hexdigest()


def owners_from_fields(owner_fields: OwnerFields, fields: dict[str, str]) -> list[tuple[str, str]]:
    """(owner id, role) pairs read from the fields; ids that are not well-formed are skipped."""
    owners: list[tuple[str, str]] = []
    for key, role in owner_fields:
        value = (fields.get(key) or "").replace(" ", "")
        if OWNER_ID_RE.fullmatch(value) and all(value != o for o, _ in owners):
            owners.append((value, role))
    return owners


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def validity_from_fields(fields: dict[str, str]) -> tuple[date | None, date | None]:
    issue = next((d for k in ISSUE_DATE_FIELDS if (d := _parse_date(fields.get(k)))), None)
    expiry = next((d for k in EXPIRY_DATE_FIELDS if (d := _parse_date(fields.get(k)))), None)
    return issue, expiry


def find_scan(session: Session, sha256: str) -> Scan | None:
    return session.scalar(select(Scan).where(Scan.sha256 == sha256))


def record_scan(
    session: Session, data: ScanInput, *, dossier: Dossier | None, actor: str
) -> tuple[Scan, list[Document]]:
    """Insert a scan and its documents (flush only: the caller commits)."""
    scan = Scan(
        sha256=data.sha256,
        filename=data.filename[:500],
        size=data.size,
        pages=data.pages,
        object_key=data.original.key,
        dossier_id=dossier.id if dossier else None,
    )
    session.add(scan)
    session.flush()
    documents: list[Document] = []
    for item in data.documents:
        values = {k: f.value for k, f in item.fields.items()}
        owners = owners_from_fields(item.owner_fields, values)
        issue, expiry = validity_from_fields(values)
        document = Document(
            sha256=document_identity(data.sha256, item.pages),
            doc_type=item.doc_type,
            pages=list(item.pages),
            page_count=len(item.pages),
            owner_id=owners[0][0] if owners else None,
            source=DocumentSource.DIGITISED.value,
            scan_id=scan.id,
            dossier_id=dossier.id if dossier else None,
            issue_date=issue,
            expiry_date=expiry,
            confidence=item.confidence,
        )
        document.fields = [
            ExtractedField(
                key=key, value=f.value, confidence=f.confidence, needs_review=f.needs_review, reviewed=False
            )
            for key, f in item.fields.items()
        ]
        document.owners = [DocumentOwner(owner_id=o, role=role) for o, role in owners]
        document.versions = [_version(VersionKind.ORIGINAL, data.original)]
        if item.searchable is not None:
            document.versions.append(_version(VersionKind.SEARCHABLE, item.searchable))
        session.add(document)
        documents.append(document)
    # One flush for all the documents: each table's rows go in one batched INSERT (the ids come
    # back with it), not one round of INSERTs per document - 14 documents were ~100 statements.
    session.flush()
    for item, document in zip(data.documents, documents, strict=True):
        if item.text:
            add_new_text(session, document.id, item.text)
        if dossier is not None:
            session.add(
                DossierComponent(
                    dossier_id=dossier.id, doc_type=item.doc_type, document_id=document.id, reused=False
                )
            )
        audit(
            session,
            "document.digitised",
            actor=actor,
            dossier_id=dossier.id if dossier else None,
            document_id=document.id,
            doc_type=item.doc_type,
            pages=list(item.pages),
            scan=data.sha256,
        )
    return scan, documents


def attach_scan_to_dossier(session: Session, scan: Scan, dossier: Dossier, *, actor: str) -> int:
    """A duplicate scan given for a dossier: link its documents as components. Returns how many.

    A document first filed in another dossier is held already: it is linked as reused (the
    citizen brought a paper the state has), not stored a second time.
    """
    attached = 0
    for document in scan.documents:
        exists = session.scalar(
            select(DossierComponent.id).where(
                DossierComponent.dossier_id == dossier.id, DossierComponent.document_id == document.id
            )
        )
        if exists is None:
            held = document.dossier_id is not None and document.dossier_id != dossier.id
            session.add(
                DossierComponent(
                    dossier_id=dossier.id, doc_type=document.doc_type, document_id=document.id, reused=held
                )
            )
            attached += 1
    audit(session, "scan.duplicate", actor=actor, dossier_id=dossier.id, scan=scan.sha256, attached=attached)
    return attached


def link_held_copy(
    session: Session, dossier: Dossier, document_id: int, doc_type: str, *, actor: str, scan_sha256: str
) -> bool:
    """A rescan of a held document given for a dossier: link the held one, store nothing.

    Linked as reused unless the document was first filed in this same dossier; the rescan's
    hash is kept in the audit entry. Returns whether a component was added.
    """
    exists = session.scalar(
        select(DossierComponent.id).where(
            DossierComponent.dossier_id == dossier.id, DossierComponent.document_id == document_id
        )
    )
    home = session.scalar(select(Document.dossier_id).where(Document.id == document_id))
    if exists is None:
        session.add(
            DossierComponent(
                dossier_id=dossier.id,
                doc_type=doc_type,
                document_id=document_id,
                reused=home is None or home != dossier.id,
            )
        )
        session.flush()
    audit(
        session,
        "scan.content_duplicate",
        actor=actor,
        dossier_id=dossier.id,
        document_id=document_id,
        scan=scan_sha256,
        doc_type=doc_type,
    )
    return exists is None


def _version(kind: VersionKind, ref: ObjectRef, signed_by: str | None = None) -> DocumentVersion:
    return DocumentVersion(
        kind=kind.value, bucket=ref.bucket, object_key=ref.key, sha256=ref.sha256, size=ref.size,
        signed_by=signed_by,
    )


def add_signed_version(
    session: Session, document_id: int, ref: ObjectRef, *, signed_by: str, actor: str
) -> DocumentVersion:
    """Record a signed copy of a document (signing calls this after storing the object)."""
    document = _get_document(session, document_id)
    version = _version(VersionKind.SIGNED, ref, signed_by=signed_by)
    document.versions.append(version)
    session.flush()
    audit(
        session, "document.signed", actor=actor, dossier_id=document.dossier_id, document_id=document.id,
        object_key=ref.key,
    )
    return version


def add_staged_result(
    session: Session, document_id: int, ref: ObjectRef, *, signed_by: str, actor: str
) -> DocumentVersion:
    """Record a result signed by the competent official but not sealed yet (``staged``).

    Not a signed copy: nothing serves, publishes or announces it (no ``document.signed``, so no
    webhook); the seal holder's signature over it is what files the result.
    """
    document = _get_document(session, document_id)
    version = _version(VersionKind.STAGED, ref, signed_by=signed_by)
    document.versions.append(version)
    session.flush()
    audit(
        session, "document.result_staged", actor=actor, dossier_id=document.dossier_id,
        document_id=document.id, object_key=ref.key,
    )
    return version


def add_sealed_result(
    session: Session, document_id: int, ref: ObjectRef, *, signed_by: str
) -> DocumentVersion:
    """Record the sealed result as its signed version, silently: filing it (``document.signed_result``,
    in the same transaction) is the one event that announces it."""
    document = _get_document(session, document_id)
    version = _version(VersionKind.SIGNED, ref, signed_by=signed_by)
    document.versions.append(version)
    session.flush()
    return version


def record_signed_document(
    session: Session,
    *,
    doc_type: str,
    signed: ObjectRef,
    signed_by: str,
    actor: str,
    owners: list[tuple[str, str]] | None = None,
    owner_fields: OwnerFields = (),
    fields: dict[str, FieldInput] | None = None,
    dossier: Dossier | None = None,
    issue_date: date | None = None,
    expiry_date: date | None = None,
) -> Document:
    """An electronic result signed here (e.g. a certificate issued on a dossier): held for reuse.

    Its identity is the signed file's hash; owners default to those its fields name.
    """
    fields = fields or {}
    if owners is None:
        owners = owners_from_fields(owner_fields, {k: f.value for k, f in fields.items()})
    for owner_id, _role in owners:
        if not OWNER_ID_RE.fullmatch(owner_id):
            raise BadInputError("Mã định danh không hợp lệ (invalid id)")
    values = {k: f.value for k, f in fields.items()}
    issue, expiry = validity_from_fields(values)
    document = Document(
        sha256=signed.sha256,
        doc_type=doc_type,
        pages=[],
        page_count=0,
        owner_id=owners[0][0] if owners else None,
        source=DocumentSource.SIGNED.value,
        dossier_id=dossier.id if dossier else None,
        issue_date=issue_date or issue,
        expiry_date=expiry_date or expiry,
        confidence=1.0,
    )
    document.fields = [
        ExtractedField(key=k, value=f.value, confidence=f.confidence, needs_review=f.needs_review)
        for k, f in fields.items()
    ]
    document.owners = [DocumentOwner(owner_id=o, role=role) for o, role in owners]
    document.versions = [_version(VersionKind.SIGNED, signed, signed_by=signed_by)]
    session.add(document)
    session.flush()
    audit(
        session, "document.signed_result", actor=actor, dossier_id=document.dossier_id,
        document_id=document.id, doc_type=doc_type, object_key=signed.key,
    )
    return document


def _get_document(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError("Không tìm thấy tài liệu (unknown document)")
    return document


def correct_field(
    session: Session, document_id: int, key: str, value: str, *, actor: str, owner_fields: OwnerFields
) -> ExtractedField:
    """Staff correct (or confirm) a field; the value OCR read is kept in ``original_value``.

    ``owner_fields`` are the document type's (registry): correcting one of them re-links owners.
    """
    document = _get_document(session, document_id)
    record = session.scalar(
        select(ExtractedField).where(ExtractedField.document_id == document_id, ExtractedField.key == key)
    )
    if record is None:
        record = ExtractedField(document_id=document_id, key=key, value=None, confidence=0.0)
        session.add(record)
    if record.original_value is None and record.value != value:
        record.original_value = record.value
    changed = record.value != value
    record.value = value
    record.reviewed = True
    record.needs_review = False
    record.reviewed_by = actor
    record.reviewed_at = utcnow()
    session.flush()
    # Owners and validity follow the corrected fields (ids are not copied into the audit log).
    values = {f.key: f.value or "" for f in document.fields}
    values[key] = value
    if any(key == k for k, _ in owner_fields):
        _replace_owners(session, document, owners_from_fields(owner_fields, values), corrected_by=actor)
    document.issue_date, document.expiry_date = validity_from_fields(values)
    audit(
        session, "field.reviewed", actor=actor, dossier_id=document.dossier_id, document_id=document.id,
        key=key, changed=changed,
    )
    return record


def set_owners(
    session: Session, document_id: int, owners: list[tuple[str, str]], *, actor: str
) -> None:
    """Staff set who a document belongs to, overriding what the fields said."""
    for owner_id, _role in owners:
        if not OWNER_ID_RE.fullmatch(owner_id):
            raise BadInputError(
                "Mã định danh không hợp lệ (invalid id): 12 chữ số hoặc mã số doanh nghiệp 10 chữ số"
            )
    document = _get_document(session, document_id)
    _replace_owners(session, document, owners, corrected_by=actor)
    audit(
        session, "document.owners", actor=actor, dossier_id=document.dossier_id, document_id=document.id,
        owners=len(owners),
    )


def _replace_owners(
    session: Session, document: Document, owners: list[tuple[str, str]], *, corrected_by: str
) -> None:
    session.execute(delete(DocumentOwner).where(DocumentOwner.document_id == document.id))
    session.expire(document, ["owners"])
    for owner_id, role in owners:
        session.add(
            DocumentOwner(owner_id=owner_id, document_id=document.id, role=role, corrected_by=corrected_by)
        )
    document.owner_id = owners[0][0] if owners else None
    session.flush()


def document_summary(document: Document) -> dict[str, Any]:
    return {"id": document.id, "doc_type": document.doc_type, "pages": document.pages}
