"""Records the dossier tests build on: held documents of a citizen, a catalogue."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pipeline.documents.types import document_type
from pipeline.dossier.catalogue import ComponentSpec, ProcedureSpec, import_procedures
from pipeline.dossier.receive import DossierView, receive
from storage.db.models import Document, Dossier
from storage.db.records import (
    DocumentInput,
    FieldInput,
    ObjectRef,
    ScanInput,
    add_signed_version,
    record_scan,
)

CITIZEN = "027095001234"
OTHER = "001196004321"
AGENCY = "H55.242"
CONFIRMATION = "1.004873"  # 3 working days: application_form, cccd
MARRIAGE = "1.000894"  # same day: application_form, cccd, marital_status_confirmation


def ref(tag: str) -> ObjectRef:
    digest = hashlib.sha256(tag.encode()).hexdigest()
    return ObjectRef(bucket="digitised", key=digest, sha256=digest, size=10)


def catalogue(session: Session) -> None:
    import_procedures(
        session,
        [
            ProcedureSpec(
                code=CONFIRMATION,
                name="Cấp Giấy xác nhận tình trạng hôn nhân",
                level=4,
                processing_days=3,
                fee_vnd=0,
                result_doc_type="marital_status_confirmation",
                components=[
                    ComponentSpec(doc_type="application_form", label="Tờ khai"),
                    ComponentSpec(doc_type="cccd", label="Căn cước", original_required=True),
                ],
            ),
            ProcedureSpec(
                code=MARRIAGE,
                name="Đăng ký kết hôn",
                level=4,
                processing_days=0,
                fee_vnd=0,
                result_doc_type="marriage_certificate",
                components=[
                    ComponentSpec(doc_type="application_form"),
                    ComponentSpec(doc_type="cccd"),
                    ComponentSpec(doc_type="marital_status_confirmation"),
                ],
            ),
        ],
    )


def scan_cccd(
    session: Session, tag: str, owner: str = CITIZEN, *, dossier: Dossier | None = None, signed: bool = True
) -> Document:
    """A digitised ID card of ``owner`` (with the receiving official's signed copy if ``signed``)."""
    fields = {"id_number": FieldInput(owner, 0.99), "full_name": FieldInput("NGUYỄN VĂN AN", 0.95)}
    # Owners are linked from the type's owner fields, as intake passes them (registry).
    doc = DocumentInput(
        "cccd", [1], 0.95, fields, searchable=ref(tag + "s"), owner_fields=document_type("cccd").owner_fields
    )
    data = ScanInput(
        sha256=ref(tag).sha256, filename=f"{tag}.pdf", size=10, pages=1, original=ref(tag), documents=[doc]
    )
    _scan, documents = record_scan(session, data, dossier=dossier, actor="test")
    if signed:
        add_signed_version(session, documents[0].id, ref(tag + "x"), signed_by="CN=TEST", actor="test")
    return documents[0]


def receive_confirmation(
    session: Session,
    *,
    actor: str = "clerk",
    reuse: Iterable[str] | None = (),
    received_at: datetime = datetime(2026, 12, 4, 3, tzinfo=UTC),  # Friday 10:00 in Vietnam
) -> DossierView:
    """The citizen's marital-status confirmation dossier (CONFIRMATION), received by ``actor``."""
    return receive(
        session,
        agency=AGENCY,
        procedure=CONFIRMATION,
        applicant_id=CITIZEN,
        actor=actor,
        applicant_name="Nguyễn Văn An",
        reuse=reuse,
        received_at=received_at,
    )
