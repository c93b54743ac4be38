"""The object store stops answering mid-service: 503 with a Vietnamese message, never a 500.

Security review (low): most endpoints answered 500 during an outage. The database outage has its
test in ``test_api_hardening``; this is the store's: the MinIO backend on a moto server of the
test's own, which is stopped as a crashed or unplugged server would be (connections reset, port
closed), then started again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db.engine import run_in_transaction
from storage.db.records import ObjectRef, add_signed_version
from storage.objects.base import Bucket
from tests.api.conftest import AGENCY_A, Api, make_api
from tests.db.fixtures import Database
from tests.storage.moto_fixture import MotoServer, minio_settings_for, own_moto_server  # noqa: F401


@pytest.fixture
def minio_api(db: Database, tmp_path: Path, own_moto_server: MotoServer) -> Iterator[Api]:  # noqa: F811
    # A short retry window: the outage is answered after about a second, not the default 30 s.
    minio = minio_settings_for(own_moto_server.endpoint, tmp_path / "data", retry_seconds=1.0)
    yield from make_api(db, tmp_path, storage=minio.storage.model_dump())


def test_store_outage_is_503_with_vietnamese_message(
    minio_api: Api, own_moto_server: MotoServer  # noqa: F811
) -> None:
    api = minio_api
    code, document_id = api.document(api.unique_pdf(), agency=AGENCY_A)
    stored = api.ctx.store.put_bytes(
        Bucket.SIGNED, api.unique_pdf("DA KY").read_bytes(), content_type="application/pdf", retain=True
    )
    ref = ObjectRef(Bucket.SIGNED.value, stored.key, stored.sha256, stored.size)
    run_in_transaction(
        api.ctx.engine, lambda s: add_signed_version(s, document_id, ref, signed_by="test", actor="test")
    )
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    key = api.key("dvc", ["results:read"], [AGENCY_A])
    result = f"/api/v1/results/documents/{document_id}"
    assert api.client.get(result, headers=key).status_code == 200  # served while the store is up

    own_moto_server.stop()
    try:
        for path, headers in [
            (result, key),
            (f"/api/v1/documents/{document_id}/pages/1.png", clerk),
        ]:
            response = api.client.get(path, headers=headers)
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            detail = response.json()["detail"]
            assert "lưu trữ" in detail.lower(), detail  # Vietnamese: the store, not a stack trace
            assert "127.0.0.1" not in detail and str(own_moto_server.port) not in detail
            assert response.headers.get("retry-after")
        upload = api.client.post(
            f"/api/v1/dossiers/{code}/scans",
            files={"files": ("scan.pdf", api.unique_pdf("QUET").read_bytes(), "application/pdf")},
            headers=clerk,
        )
        # In-process intake spools the upload on local disk and stores it when its job runs:
        # accepted during the outage, nothing lost (the distributed mode stores it first, 503).
        assert upload.status_code == 202, upload.text
        assert upload.json()["status"] == "queued"
    finally:
        own_moto_server.start()
    assert api.client.get(result, headers=key).status_code == 200  # and back when it returns
