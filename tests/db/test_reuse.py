"""Records, owners, corrections and the reuse lookup, on both databases."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from config.errors import ExitCode
from pipeline.documents.types import document_type
from pipeline.reuse import lookup, reuse_document, validate_owner_id
from storage.db.dossiers import add_procedure, create_dossier_in
from storage.db.engine import read_session, write_session
from storage.db.errors import BadInputError
from storage.db.models import (
    AuditEntry,
    Document,
    DocumentOwner,
    DocumentSource,
    DossierComponent,
    ExtractedField,
)
from storage.db.records import (
    DocumentInput,
    FieldInput,
    ObjectRef,
    ScanInput,
    add_signed_version,
    correct_field,
    owners_from_fields,
    record_scan,
    set_owners,
)
from tests.db.fixtures import Database

CITIZEN = "027095001234"
WIFE = "001196004321"
ENTERPRISE = "0101234567-001"
TODAY = date(2026, 11, 21)


def ref(n: int) -> ObjectRef:
    key = f"{n:064x}"
    return ObjectRef(bucket="originals", key=key, sha256=key, size=100 + n)


def scan(n: int, *docs: tuple[str, dict[str, str]]) -> ScanInput:
    return ScanInput(
        sha256=f"{n:064x}",
        filename=f"scan_{n}.pdf",
        size=1000,
        pages=len(docs),
        original=ref(n),
        documents=[
            DocumentInput(
                doc_type=doc_type,
                pages=[i + 1],
                confidence=0.9,
                fields={k: FieldInput(v, 0.95) for k, v in fields.items()},
                searchable=ObjectRef("digitised", f"{n + 1000 + i:064x}", f"{n + 1000 + i:064x}", 5),
                owner_fields=document_type(doc_type).owner_fields,
            )
            for i, (doc_type, fields) in enumerate(docs)
        ],
    )


@pytest.fixture
def held(db: Database) -> dict[str, int]:
    """A small store: the citizen's ID card, an expired one, a marriage certificate, a land cert."""
    ids: dict[str, int] = {}
    with write_session(db.engine) as session:
        add_procedure(
            session, "1.001612", "Thủ tục mẫu", ["cccd", "marriage_certificate", "application_form"]
        )
        dossier = create_dossier_in(session, "H55.242", actor="t")
        _, docs = record_scan(
            session,
            scan(
                1,
                ("cccd", {"id_number": CITIZEN, "full_name": "NGUYỄN VĂN AN", "expiry_date": "2035-01-01"}),
                ("cccd", {"id_number": CITIZEN, "expiry_date": "2020-01-01"}),
            ),
            dossier=dossier,
            actor="t",
        )
        ids["cccd"], ids["expired"] = docs[0].id, docs[1].id
        _, docs = record_scan(
            session,
            scan(
                2,
                (
                    "marriage_certificate",
                    {"husband_id_number": CITIZEN, "wife_id_number": WIFE, "registration_date": "2020-05-05"},
                ),
                ("business_registration", {"enterprise_code": ENTERPRISE, "name": "Công ty TNHH Mẫu"}),
            ),
            dossier=None,
            actor="t",
        )
        ids["marriage"], ids["business"] = docs[0].id, docs[1].id
    return ids


def test_owners_from_fields() -> None:
    def owners(doc_type: str, fields: dict[str, str]) -> list[tuple[str, str]]:
        return owners_from_fields(document_type(doc_type).owner_fields, fields)

    assert owners("cccd", {"id_number": CITIZEN}) == [(CITIZEN, "holder")]
    assert owners("marriage_certificate", {"husband_id_number": CITIZEN, "wife_id_number": WIFE}) == [
        (CITIZEN, "husband"),
        (WIFE, "wife"),
    ]
    assert owners("cccd", {"id_number": "12345"}) == []
    assert owners("other", {"id_number": CITIZEN}) == []
    assert owners("land_use_certificate", {"holder_id_number": CITIZEN}) == [(CITIZEN, "holder")]


def test_lookup_lists_held_and_missing(db: Database, held: dict[str, int]) -> None:
    with read_session(db.engine) as session:
        result = lookup(session, CITIZEN, "1.001612", today=TODAY)
    data = json.loads(result.model_dump_json())
    assert data["owner"] == CITIZEN
    assert {h["document_id"] for h in data["held"]} == {str(held["cccd"]), str(held["marriage"])}
    cccd = next(h for h in data["held"] if h["doc_type"] == "cccd")
    assert cccd["fields"]["full_name"] == "NGUYỄN VĂN AN"
    assert cccd["dossier"].startswith("H55.242-")
    assert cccd["signed"] is False
    assert data["missing"] == ["application_form"]
    for item in data["held"]:
        assert {"doc_type", "document_id", "dossier", "signed", "fields"} <= set(item)


def test_lookup_by_spouse_and_enterprise(db: Database, held: dict[str, int]) -> None:
    with read_session(db.engine) as session:
        wife = lookup(session, WIFE, today=TODAY)
        enterprise = lookup(session, ENTERPRISE, today=TODAY)
        nobody = lookup(session, "079200000001", "1.001612", today=TODAY)
    assert [h.doc_type for h in wife.held] == ["marriage_certificate"]
    assert wife.missing == []
    assert [h.document_id for h in enterprise.held] == [str(held["business"])]
    assert nobody.held == []
    assert nobody.missing == ["cccd", "marriage_certificate", "application_form"]


def test_signed_and_reused_sources(db: Database, held: dict[str, int]) -> None:
    with write_session(db.engine) as session:
        add_signed_version(session, held["cccd"], ref(77), signed_by="CN=Cán bộ", actor="t")
        session.get_one(Document, held["marriage"]).source = DocumentSource.REUSED.value
    with read_session(db.engine) as session:
        result = lookup(session, CITIZEN, today=TODAY)
    assert [(h.doc_type, h.signed) for h in result.held] == [("cccd", True)]


def test_correction_keeps_original_and_moves_owner(db: Database, held: dict[str, int]) -> None:
    new_id = "027095009999"
    with write_session(db.engine) as session:
        cccd = document_type("cccd").owner_fields
        correct_field(session, held["cccd"], "id_number", new_id, actor="clerk.an", owner_fields=cccd)
        correct_field(
            session, held["cccd"], "id_number", "027095008888", actor="clerk.binh", owner_fields=cccd
        )
    with read_session(db.engine) as session:
        field = session.scalars(
            select(ExtractedField).where(
                ExtractedField.document_id == held["cccd"], ExtractedField.key == "id_number"
            )
        ).one()
        assert (field.value, field.original_value) == ("027095008888", CITIZEN)
        assert field.reviewed and field.reviewed_by == "clerk.binh" and field.reviewed_at is not None
        assert [h.document_id for h in lookup(session, "027095008888", today=TODAY).held] == [
            str(held["cccd"])
        ]
        assert str(held["cccd"]) not in {h.document_id for h in lookup(session, CITIZEN, today=TODAY).held}
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "field.reviewed")).all()
        assert len(entries) == 2
        assert all(CITIZEN not in json.dumps(e.details) for e in entries)


def test_staff_set_owners(db: Database, held: dict[str, int]) -> None:
    with write_session(db.engine) as session:
        set_owners(session, held["business"], [(CITIZEN, "holder")], actor="clerk")
    with read_session(db.engine) as session:
        owners = session.scalars(
            select(DocumentOwner).where(DocumentOwner.document_id == held["business"])
        ).all()
        assert [(o.owner_id, o.corrected_by) for o in owners] == [(CITIZEN, "clerk")]
    with pytest.raises(BadInputError), write_session(db.engine) as session:
        set_owners(session, held["business"], [("1' OR '1'='1", "holder")], actor="clerk")


def test_reuse_is_recorded_and_audited(db: Database, held: dict[str, int]) -> None:
    with write_session(db.engine) as session:
        dossier = create_dossier_in(session, "H55.242", procedure_code="1.001612", actor="t")
        code = dossier.code
    with write_session(db.engine) as session:
        component = reuse_document(session, code, held["cccd"], actor="clerk", today=TODAY)
        assert component.reused
    with pytest.raises(BadInputError), write_session(db.engine) as session:
        reuse_document(session, code, held["cccd"], actor="clerk", today=TODAY)
    with pytest.raises(BadInputError), write_session(db.engine) as session:
        reuse_document(session, code, held["expired"], actor="clerk", today=TODAY)
    with read_session(db.engine) as session:
        components = session.scalars(select(DossierComponent).where(DossierComponent.reused)).all()
        assert [(c.document_id, c.doc_type) for c in components] == [(held["cccd"], "cccd")]
        reuse_audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "component.reused")).all()
        assert [e.document_id for e in reuse_audit] == [held["cccd"]]


BAD_OWNER_IDS = [
        "",
        "12345",
        "0270950012345",
        "02709500123a",
        "027095001234' OR '1'='1",
        "'; DROP TABLE documents; --",
        "%",
        "_" * 12,
        "0101234567-1",
        "x" * 100_000,
        "０２７０９５００１２３４",  # full-width digits
    ]


def test_bad_owner_ids_refused(db: Database, held: dict[str, int]) -> None:
    # One database for every bad id: each is refused before any query (and none echoed back).
    for raw in BAD_OWNER_IDS:
        with pytest.raises(BadInputError) as info, read_session(db.engine) as session:
            lookup(session, raw)
        assert info.value.exit_code == ExitCode.BAD_ARGS, raw[:20]
        assert raw[:12] not in info.value.message or not raw, raw[:20]
    with read_session(db.engine) as session:  # the injection attempts changed nothing
        assert str(held["cccd"]) in {h.document_id for h in lookup(session, CITIZEN, today=TODAY).held}


def test_good_owner_ids() -> None:
    assert validate_owner_id(" 027095001234 ") == CITIZEN
    assert validate_owner_id("0101234567") == "0101234567"
    assert validate_owner_id(ENTERPRISE) == ENTERPRISE


def test_lookup_is_an_index_seek(db: Database, held: dict[str, int]) -> None:
    from pipeline.reuse import explain_lookup

    plan = explain_lookup(db.engine, CITIZEN)
    if db.backend == "sqlite":
        assert "USING PRIMARY KEY" in plan or "USING COVERING INDEX" in plan or "USING INDEX" in plan
        assert "SCAN document_owners" not in plan and "SCAN documents" not in plan
    else:
        assert "Index" in plan


def test_signed_results_are_held(db: Database, held: dict[str, int]) -> None:
    from storage.db.records import record_signed_document

    with write_session(db.engine) as session:
        document = record_signed_document(
            session,
            doc_type="birth_certificate",
            signed=ObjectRef("signed", "e" * 64, "e" * 64, 1234),
            signed_by="CN=Chủ tịch UBND",
            actor="signing",
            owner_fields=document_type("birth_certificate").owner_fields,
            fields={"id_number": FieldInput(WIFE, 1.0), "full_name": FieldInput("Lê Thị Hoa", 1.0)},
        )
        document_id = document.id
    with read_session(db.engine) as session:
        result = lookup(session, WIFE, today=TODAY)
    item = next(h for h in result.held if h.doc_type == "birth_certificate")
    assert item.document_id == str(document_id) and item.signed and item.source == "signed"
    assert item.fields["full_name"] == "Lê Thị Hoa"
    with pytest.raises(BadInputError), write_session(db.engine) as session:
        record_signed_document(
            session, doc_type="other", signed=ref(5), signed_by="x", actor="t", owners=[("bad", "holder")]
        )
