"""Uploads: path traversal refused, size cap (413) while streaming, intake jobs with real OCR."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db.dossiers import create_dossier
from tests.api.conftest import AGENCY_A, AGENCY_B, Api, make_api
from tests.db.fixtures import Database

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "scans" / "clean_birth_certificate.pdf"


@pytest.fixture
def small_api(db: Database, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(db, tmp_path, api={"max_upload_mb": 0.05})  # 51 KiB


@pytest.fixture
def worker_api(db: Database, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(db, tmp_path, start_worker=True)


def uploads(api: Api) -> list[Path]:
    root = api.settings.data_dir / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "name",
    ["../../evil.pdf", "/tmp/evil.pdf", "..\\evil.pdf", "..", "sub/evil.pdf", ".hidden.pdf"],
)
def test_path_traversal_refused(api: Api, name: str) -> None:
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
    response = api.client.post(
        f"/api/v1/dossiers/{code}/scans",
        files=[("files", ("ok.pdf", b"%PDF-1.4 fine")), ("files", (name, b"%PDF-1.4 evil"))],
        headers=clerk,
    )
    assert response.status_code == 422, response.text
    assert "file name" in response.json()["detail"]
    assert uploads(api) == []  # the accepted part was removed too
    assert not (api.tmp / "evil.pdf").exists() and not Path("/tmp/evil.pdf").exists()
    assert not any(p.name == "evil.pdf" for p in api.tmp.rglob("*"))


@pytest.mark.parametrize("name", ["a\x00b.pdf", "a\nb.pdf", "x" * 300 + ".pdf", "", "."])
def test_safe_filename_refuses(name: str) -> None:
    from pipeline.api.errors import ApiError
    from pipeline.api.uploads import safe_filename

    with pytest.raises(ApiError):
        safe_filename(name)


def test_safe_filename_keeps_vietnamese_names() -> None:
    from pipeline.api.uploads import safe_filename

    assert safe_filename("Giấy khai sinh (bản sao).pdf") == "Giấy khai sinh (bản sao).pdf"


def test_upload_over_the_limit(small_api: Api) -> None:
    api = small_api
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
    big = b"%PDF-1.4\n" + b"0" * 200_000
    # Declared by Content-Length: refused before reading the body.
    response = api.client.post(
        f"/api/v1/dossiers/{code}/scans", files={"files": ("big.pdf", big)}, headers=clerk
    )
    assert response.status_code == 413, response.text
    # Chunked (no Content-Length): refused while streaming, partial file removed.
    boundary = "sohoaboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(20):
            yield b"1" * 16_384
        yield f"\r\n--{boundary}--\r\n".encode()

    response = api.client.post(
        f"/api/v1/dossiers/{code}/scans",
        content=body(),
        headers={**clerk, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413, response.text
    assert uploads(api) == []
    # Under the limit it is accepted (a job is created).
    ok = api.client.post(
        f"/api/v1/dossiers/{code}/scans",
        files={"files": ("small.pdf", b"%PDF-1.4\n" + b"0" * 1000)},
        headers=clerk,
    )
    assert ok.status_code == 202
    # /verify and signed uploads share the cap.
    key = api.key("v", ["verify"], ["*"])
    assert (
        api.client.post(
            "/api/v1/verify", content=big, headers={**key, "Content-Type": "application/pdf"}
        ).status_code
        == 413
    )


def test_upload_into_unknown_or_foreign_dossier(api: Api) -> None:
    clerk_b = api.user("clerkb", ["clerk"], [AGENCY_B])
    code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
    files = {"files": ("a.pdf", b"%PDF-1.4")}
    assert api.client.post(f"/api/v1/dossiers/{code}/scans", files=files, headers=clerk_b).status_code == 404
    missing = code[:-4] + "9999"
    assert (
        api.client.post(f"/api/v1/dossiers/{missing}/scans", files=files, headers=clerk_b).status_code == 404
    )
    assert (
        api.client.post("/api/v1/intake", files=files, data={"agency": AGENCY_A}, headers=clerk_b).status_code
        == 403
    )
    assert api.client.post("/api/v1/dossiers/x/scans", files=files, headers=clerk_b).status_code == 422
    assert uploads(api) == []


def wait_job(api: Api, job_id: str, headers: dict[str, str], timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    seen_progress = []
    while time.monotonic() < deadline:
        job = api.client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        seen_progress.append((job["pages_done"], job["pages_total"]))
        if job["status"] in ("done", "failed"):
            job["seen"] = seen_progress
            return job
        time.sleep(0.2)
    raise AssertionError(f"job not finished: {seen_progress[-3:]}")


def test_intake_job_with_real_ocr(worker_api: Api, tmp_path: Path) -> None:
    api = worker_api
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    other = api.user("clerkb", ["clerk"], [AGENCY_B])
    code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
    scan = tmp_path / "giay khai sinh.pdf"
    shutil.copy(SAMPLE, scan)
    broken = b"%PDF-1.4\nthis is not really a pdf"
    response = api.client.post(
        f"/api/v1/dossiers/{code}/scans",
        files=[("files", (scan.name, scan.read_bytes())), ("files", ("hong.pdf", broken))],
        headers=clerk,
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert api.client.get(f"/api/v1/jobs/{job_id}", headers=other).status_code == 404
    job = wait_job(api, job_id, clerk)
    assert job["status"] == "done", job
    assert job["files_done"] == job["files_total"] == 2
    assert job["pages_done"] == job["pages_total"] >= 1
    result = job["result"]
    assert result["dossier"] == code
    assert [d["doc_type"] for d in result["documents"]] == ["birth_certificate"]
    assert [q["file"] for q in result["quarantined"]] == ["hong.pdf"] and result["quarantined"][0]["reason"]
    assert uploads(api) == []  # the upload area is cleaned once the job is done

    documents = api.client.get("/api/v1/documents", params={"dossier": code}, headers=clerk).json()["items"]
    assert [d["id"] for d in documents] == [result["documents"][0]["document_id"]]

    # The same scan again: a duplicate, nothing new.
    again = api.client.post(
        f"/api/v1/dossiers/{code}/scans", files={"files": (scan.name, scan.read_bytes())}, headers=clerk
    )
    job = wait_job(api, again.json()["job_id"], clerk)
    assert job["status"] == "done" and job["result"]["documents"] == []
    assert [d["file"] for d in job["result"]["duplicates"]] == [scan.name]
