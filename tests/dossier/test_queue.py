"""Digitised components go to the receiving official's signing queue, as received copies."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import select

from pipeline.accounts import create_user
from pipeline.dossier.queue import is_received_copy, queue_components
from pipeline.dossier.receive import receive
from storage.db.api_models import SigningQueueItem
from storage.db.dossiers import get_dossier
from storage.db.engine import read_session, write_session
from storage.db.errors import BadInputError
from storage.db.records import DocumentInput, ObjectRef, ScanInput, record_scan
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store
from tests.db.fixtures import Database
from tests.dossier.helpers import AGENCY, CITIZEN, CONFIRMATION, catalogue, scan_cccd


def _pdf(path: Path) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path.read_bytes()


def test_components_are_queued_once_for_the_receiving_official(db: Database, tmp_path: Path) -> None:
    settings = db.settings(tmp_path, storage={"backend": "directory"})
    store = open_object_store(settings)
    store.ensure_buckets()
    stored = store.put_bytes(Bucket.DIGITISED, _pdf(tmp_path / "a.pdf"), content_type="application/pdf")
    ref = ObjectRef(bucket="digitised", key=stored.key, sha256=stored.sha256, size=stored.size)
    with write_session(db.engine) as s:
        catalogue(s)
        create_user(
            s,
            "cuc",
            "mat-khau-thu-nghiem",
            roles=["official"],
            agencies=[AGENCY],
            cert_sha256="a" * 64,
            actor="test",
        )
        create_user(s, "clerk", "mat-khau-thu-nghiem", roles=["clerk"], agencies=[AGENCY], actor="test")
        scan_cccd(s, "held")  # reused below: never queued again
        code = receive(
            s, agency=AGENCY, procedure=CONFIRMATION, applicant_id=CITIZEN, actor="clerk", reuse=["cccd"]
        ).code
        record_scan(
            s,
            ScanInput(
                sha256="b" * 64,
                filename="form.pdf",
                size=stored.size,
                pages=1,
                original=ref,
                documents=[DocumentInput("application_form", [1], 0.9, {}, searchable=ref)],
            ),
            dossier=get_dossier(s, code),
            actor="clerk",
        )
    queued = queue_components(db.engine, store, code, "cuc", actor="clerk")
    assert [(q.doc_type, q.new) for q in queued] == [("application_form", True)]
    again = queue_components(db.engine, store, code, "cuc", actor="clerk")
    assert [q.new for q in again] == [False] and again[0].item_id == queued[0].item_id
    with read_session(db.engine) as s:
        item = s.scalars(select(SigningQueueItem)).one()
        assert is_received_copy(item.title) and code in item.title
        with store.open(Bucket(item.bucket), item.object_key) as fh:
            assert fh.read().startswith(b"%PDF-")
    with pytest.raises(BadInputError):
        queue_components(db.engine, store, code, "clerk", actor="clerk")
