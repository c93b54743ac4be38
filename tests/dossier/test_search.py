"""Staff search by dossier code, id number, name and OCR text, limited to the caller's agencies,
on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

from sqlalchemy import delete, select

from pipeline.documents.types import document_type
from pipeline.dossier.receive import receive
from pipeline.dossier.search import search_dossiers
from storage.db.document_text import DocumentText, search_texts
from storage.db.dossiers import create_dossier_in, get_dossier
from storage.db.engine import read_session, write_session
from storage.db.migrate import schema_differences
from storage.db.models import Document
from storage.db.records import DocumentInput, FieldInput, ScanInput, record_scan
from tests.db.fixtures import Database
from tests.dossier.helpers import AGENCY, CITIZEN, CONFIRMATION, OTHER, catalogue, ref

OTHER_AGENCY = "H29.001"
FORM_TEXT = "ĐƠN ĐỀ NGHỊ\nKính gửi: Ủy ban nhân dân phường Vĩnh Hòa\nNơi cư trú: đường Phan Chu Trinh"
SECRET_TEXT = "Tờ khai của xã khác: đường Phan Chu Trinh, thôn Đông Khê"


def _scan_text(session, tag: str, body: str, dossier_code: str) -> int:  # type: ignore[no-untyped-def]
    doc = DocumentInput(
        "application_form",
        [1],
        0.9,
        {"full_name": FieldInput("X", 0.9)},
        searchable=ref(tag + "s"),
        owner_fields=document_type("application_form").owner_fields,
        text=body,
    )
    data = ScanInput(
        sha256=ref(tag).sha256, filename=f"{tag}.pdf", size=10, pages=1, original=ref(tag), documents=[doc]
    )
    _scan, documents = record_scan(session, data, dossier=get_dossier(session, dossier_code), actor="test")
    return documents[0].id


def _seed(db: Database) -> tuple[str, str, int]:
    with write_session(db.engine) as s:
        catalogue(s)
        mine = receive(
            s,
            agency=AGENCY,
            procedure=CONFIRMATION,
            applicant_id=CITIZEN,
            actor="clerk",
            applicant_name="Trần Thị Bình",
        )
        doc_id = _scan_text(s, "form-a", FORM_TEXT, mine.code)
        theirs = receive(
            s,
            agency=OTHER_AGENCY,
            procedure=CONFIRMATION,
            applicant_id=OTHER,
            actor="clerk",
            applicant_name="Trần Thị Bình Minh",
        )
        _scan_text(s, "form-b", SECRET_TEXT, theirs.code)
    return mine.code, theirs.code, doc_id


def test_search_each_way_and_only_own_agency(db: Database) -> None:
    mine, theirs, doc_id = _seed(db)
    own = frozenset({AGENCY})
    with read_session(db.engine) as s:
        by_code = search_dossiers(s, mine.lower(), agencies=own)
        assert [(h.code, h.matched) for h in by_code] == [(mine, "code")]
        assert [h.code for h in search_dossiers(s, mine.rsplit("-", 1)[0], agencies=own)] == [mine]
        assert search_dossiers(s, theirs, agencies=own) == []  # another agency's code: nothing

        by_id = search_dossiers(s, CITIZEN, agencies=own)
        assert [(h.code, h.matched) for h in by_id] == [(mine, "id_number")]
        assert search_dossiers(s, OTHER, agencies=own) == []

        by_name = search_dossiers(s, "Thị Bình", agencies=own)
        assert [(h.code, h.matched, h.applicant_name) for h in by_name] == [(mine, "name", "Trần Thị Bình")]
        both = search_dossiers(s, "Thị Bình", agencies=None)
        assert {h.code for h in both} == {mine, theirs}

        # Full text: a word of the OCR text, any case; the other agency's identical words unseen.
        by_text = search_dossiers(s, "vĩnh hòa", agencies=own)
        assert [(h.code, h.matched, h.document_id) for h in by_text] == [(mine, "text", doc_id)]
        assert by_text[0].snippet and "[" in by_text[0].snippet
        shared = search_dossiers(s, "Phan Chu Trinh", agencies=own)
        assert [h.code for h in shared] == [mine]
        assert {h.code for h in search_dossiers(s, "Phan Chu Trinh", agencies=None)} == {mine, theirs}
        assert search_dossiers(s, "Đông Khê", agencies=own) == []
        # Every word must be there; FTS operators typed by a clerk are only words.
        assert search_dossiers(s, "Vĩnh Khê", agencies=None) == []
        assert search_dossiers(s, 'Vĩnh" OR "Khê', agencies=None) == []
        assert search_dossiers(s, "NEAR(*", agencies=None) == []
        assert search_dossiers(s, "   ", agencies=None) == []


def test_text_index_follows_updates_and_deletes(db: Database) -> None:
    _mine, _theirs, doc_id = _seed(db)
    with write_session(db.engine) as s:
        s.get(DocumentText, doc_id).body = "Giấy xác nhận cư trú thôn Hạ Long"  # type: ignore[union-attr]
    with read_session(db.engine) as s:
        assert search_texts(s, "Vĩnh Hòa") == []
        assert [h.document_id for h in search_texts(s, "Hạ Long")] == [doc_id]
    with write_session(db.engine) as s:
        s.execute(delete(DocumentText).where(DocumentText.document_id == doc_id))
    with read_session(db.engine) as s:
        assert search_texts(s, "Hạ Long") == []
        assert s.scalar(select(Document.id).where(Document.id == doc_id)) == doc_id


def test_plain_intake_dossier_found_by_text(db: Database) -> None:
    """A dossier made by plain intake (no receipt record) is found by its text too."""
    with write_session(db.engine) as s:
        dossier = create_dossier_in(s, AGENCY, actor="test")
        _scan_text(s, "plain", "Giấy khai sinh của cháu Lê Minh Khôi", dossier.code)
        code = dossier.code
    with read_session(db.engine) as s:
        hits = search_dossiers(s, "Khôi", agencies=frozenset({AGENCY}))
        assert [(h.code, h.state, h.applicant_name) for h in hits] == [(code, "received", None)]


def test_index_objects_do_not_count_as_schema_drift(db: Database) -> None:
    assert schema_differences(db.engine) == []
