"""Documents digitised before the text index get their text from the searchable PDF's text layer;
an unreadable or missing PDF is counted and skipped, and a second run has nothing left to do."""

from __future__ import annotations

from pathlib import Path

from config.settings import load_settings
from pipeline.documents.types import document_type
from pipeline.dossier.search import search_dossiers
from pipeline.dossier.text_index import reindex_texts
from storage.db.document_text import DocumentText
from storage.db.dossiers import create_dossier_in
from storage.db.engine import read_session, write_session
from storage.db.records import DocumentInput, ObjectRef, ScanInput, record_scan
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store
from tests.api.conftest import text_pdf
from tests.db.fixtures import Database
from tests.dossier.helpers import AGENCY, ref


def _record(session, tag: str, searchable: ObjectRef, dossier) -> int:  # type: ignore[no-untyped-def]
    doc = DocumentInput(
        "application_form",
        [1],
        0.9,
        {},
        searchable=searchable,
        owner_fields=document_type("application_form").owner_fields,
    )
    data = ScanInput(
        sha256=ref(tag).sha256, filename=f"{tag}.pdf", size=10, pages=1, original=ref(tag), documents=[doc]
    )
    return record_scan(session, data, dossier=dossier, actor="test")[1][0].id


def test_reindex_reads_text_layers_and_skips_bad_pdfs(db: Database, tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data", database={"url": db.url}, storage={"backend": "directory"}
    )
    store = open_object_store(settings)
    store.ensure_buckets()
    good = store.put_file(
        Bucket.DIGITISED,
        text_pdf(tmp_path / "a.pdf", "Thon Dong Khe xa Yen Lac"),
        content_type="application/pdf",
    )
    bad = store.put_bytes(Bucket.DIGITISED, b"%PDF-1.7 not really a pdf", content_type="application/pdf")

    def as_ref(obj) -> ObjectRef:  # type: ignore[no-untyped-def]
        return ObjectRef(Bucket.DIGITISED.value, obj.key, obj.sha256, obj.size)

    with write_session(db.engine) as s:
        dossier = create_dossier_in(s, AGENCY, actor="test")
        code = dossier.code
        good_id = _record(s, "old-good", as_ref(good), dossier)
        bad_id = _record(s, "old-bad", as_ref(bad), dossier)
        missing_id = _record(s, "old-missing", ref("not-in-the-store"), dossier)
    with read_session(db.engine) as s:
        assert search_dossiers(s, "Dong Khe", agencies=None) == []

    summary = reindex_texts(db.engine, store, batch=2)  # batches smaller than the work
    assert (summary.indexed, summary.empty, summary.failed) == (1, 0, 2)
    with read_session(db.engine) as s:
        hits = search_dossiers(s, "Dong Khe", agencies=frozenset({AGENCY}))
        assert [(h.code, h.document_id) for h in hits] == [(code, good_id)]
        assert s.get(DocumentText, bad_id) is None and s.get(DocumentText, missing_id) is None
    again = reindex_texts(db.engine, store)
    assert (again.indexed, again.failed) == (0, 2)  # nothing new; the bad ones stay reported
