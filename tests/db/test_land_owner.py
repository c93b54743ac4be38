"""A land certificate's holder id links the document to its owner, so lookup finds it."""

from __future__ import annotations

from datetime import date

from pipeline.documents.analyse import analyse_pages
from pipeline.documents.types import document_type
from pipeline.reuse import lookup
from storage.db.engine import read_session, write_session
from storage.db.records import DocumentInput, FieldInput, ObjectRef, ScanInput, record_scan
from tests.db.fixtures import Database
from tests.documents.helpers import make_page

HOLDER = "001085012345"


def test_extracted_land_certificate_is_found_by_its_holder(db: Database) -> None:
    page = make_page([
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY CHỨNG NHẬN",
        "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT",
        "Số phát hành: DA 270749",
        f"1. Người sử dụng đất: Ông/Bà NGUYỄN VĂN AN, CCCD số {HOLDER}",
        "Thửa đất số: 12; Tờ bản đồ số: 3",
    ], confidence=0.95, boxes=True)
    (doc,) = analyse_pages([page])
    assert doc.doc_type == "land_use_certificate"
    key = "a" * 64
    scan = ScanInput(key, "land.pdf", 10, 1, ObjectRef("originals", key, key, 10), [
        DocumentInput(
            doc.doc_type, doc.pages, doc.confidence,
            {k: FieldInput(f.value, f.confidence, f.needs_review) for k, f in doc.fields.items()},
            owner_fields=document_type(doc.doc_type).owner_fields,
        )
    ])
    with write_session(db.engine) as session:
        record_scan(session, scan, dossier=None, actor="test")
    with read_session(db.engine) as session:
        result = lookup(session, HOLDER, today=date(2026, 12, 1))
    assert [h.doc_type for h in result.held] == ["land_use_certificate"]
    assert result.held[0].fields["holder_name"] == "NGUYỄN VĂN AN"
