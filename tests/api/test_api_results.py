"""Signed results on both store backends: streamed, or a presigned URL that works and expires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from storage.db.engine import run_in_transaction
from storage.db.records import ObjectRef, add_signed_version
from storage.objects.base import Bucket
from tests.api.conftest import AGENCY_A, AGENCY_B, Api, make_api
from tests.db.fixtures import Database
from tests.storage.moto_fixture import minio_settings_for


@pytest.fixture(params=["directory", "minio"])
def store_api(request: pytest.FixtureRequest, db: Database, tmp_path: Path) -> Iterator[Api]:
    overrides: dict[str, Any] = {"storage": {"backend": "directory", "presign_seconds": 2}}
    if request.param == "minio":
        endpoint = request.getfixturevalue("moto_endpoint")
        minio = minio_settings_for(str(endpoint), tmp_path / "data", presign_seconds=2)
        overrides["storage"] = minio.storage.model_dump()
    yield from make_api(db, tmp_path, **overrides)


def signed_result(api: Api, agency: str = AGENCY_A) -> tuple[str, int, bytes]:
    """A document with a signed version (the bytes need not be signed for delivery)."""
    code, document_id = api.document(api.unique_pdf(), agency=agency)
    data = api.unique_pdf("DA KY").read_bytes()
    stored = api.ctx.store.put_bytes(Bucket.SIGNED, data, content_type="application/pdf", retain=True)
    ref = ObjectRef(Bucket.SIGNED.value, stored.key, stored.sha256, stored.size)
    run_in_transaction(
        api.ctx.engine, lambda s: add_signed_version(s, document_id, ref, signed_by="test", actor="test")
    )
    return code, document_id, data


def test_stream_and_presigned_on_both_backends(store_api: Api) -> None:
    api = store_api
    code, document_id, data = signed_result(api)
    _, other_doc, _ = signed_result(api, AGENCY_B)
    key = api.key("dvc", ["results:read"], [AGENCY_A])
    streamed = api.client.get(f"/results/documents/{document_id}", headers=key)
    assert streamed.status_code == 200 and streamed.content == data
    assert streamed.headers["content-type"] == "application/pdf"
    assert api.client.get(f"/results/documents/{other_doc}", headers=key).status_code == 404

    redirect = api.client.get(
        f"/results/dossiers/{code}", params={"redirect": "presigned"}, headers=key, follow_redirects=False
    )
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    if api.settings.storage.backend == "minio":
        fetched = httpx.get(location, timeout=30)  # straight from the object server, no API key
    else:
        parts = urlsplit(location)
        fetched = api.client.get(f"{parts.path}?{parts.query}")
    assert fetched.status_code == 200 and fetched.content == data

    if api.settings.storage.backend == "minio":
        # moto does not enforce presigned expiry (MinIO does): check the URL asks for 2 s.
        assert "X-Amz-Expires=2&" in location + "&"
        return
    time.sleep(2.5)  # presign_seconds=2
    expired = api.client.get(f"{parts.path}?{parts.query}")
    assert expired.status_code == 403 and expired.content != data


def test_no_signed_result_yet(api: Api) -> None:
    code, document_id = api.document(api.unique_pdf())
    key = api.key("dvc", ["results:read"], [AGENCY_A])
    assert api.client.get(f"/results/documents/{document_id}", headers=key).status_code == 404
    assert api.client.get(f"/results/dossiers/{code}", headers=key).status_code == 404
    assert api.client.get("/results", params={"dossier": code}, headers=key).json() == []


def test_intake_creates_a_dossier(api: Api) -> None:
    """POST /intake makes a new dossier of the clerk's agency; a bad file is quarantined."""
    from pipeline.executor import SerialExecutor
    from pipeline.jobs import run_job

    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    response = api.client.post(
        "/intake",
        files={"files": ("hong.pdf", b"%PDF-1.4 broken")},
        data={"procedure": "1.001193"},
        headers=clerk,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert api.client.get(f"/jobs/{job_id}", headers=clerk).json()["status"] == "queued"
    # No in-process worker here: run the job as ``sohoa worker`` would.
    assert run_job(api.ctx, job_id, executor=SerialExecutor()) is True
    assert run_job(api.ctx, job_id, executor=SerialExecutor()) is False  # claimed once only
    job = api.client.get(f"/jobs/{job_id}", headers=clerk).json()
    assert job["status"] == "done"
    code = job["result"]["dossier"]
    assert code.startswith(AGENCY_A + "-") and job["dossier"] == code
    assert [q["file"] for q in job["result"]["quarantined"]] == ["hong.pdf"]
    assert api.client.get(f"/dossiers/{code}", headers=clerk).json()["procedure"] == "1.001193"
    assert (api.settings.data_dir / "quarantine").exists()
