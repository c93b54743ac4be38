"""A separate ``sohoa worker`` process runs the API's queued jobs; logs never carry id numbers."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.api.conftest import AGENCY_A, OWNER_ID, PASSWORD, Api
from tests.api.live import SOHOA


def test_separate_worker_process(api: Api, tmp_path: Path) -> None:
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    response = api.client.post(
        "/api/v1/intake",
        files={"files": ("hong.pdf", b"%PDF-1.4 broken")},
        data={"agency": AGENCY_A},
        headers=clerk,
    )
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    env = {
        **os.environ,
        "SOHOA_DATA_DIR": str(api.settings.data_dir),
        "SOHOA_DATABASE__URL": api.db.url,
        "SOHOA_STORAGE__BACKEND": "directory",
        "SOHOA_OCR__JOBS": "1",
    }
    log = tmp_path / "worker.log"
    with open(log, "wb") as fh:
        worker = subprocess.Popen(
            [SOHOA, "worker", "--poll", "0.2"], env=env, stdout=fh, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            job = {}
            while time.monotonic() < deadline:
                job = api.client.get(f"/api/v1/jobs/{job_id}", headers=clerk).json()
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(0.3)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
    assert job["status"] == "done", (job, log.read_text(errors="replace"))
    assert [q["file"] for q in job["result"]["quarantined"]] == ["hong.pdf"]
    assert job["result"]["dossier"].startswith(AGENCY_A)
    assert worker.returncode == 0, log.read_text(errors="replace")


def test_logs_of_a_flow_carry_no_id_number(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, doc = api.document(
        api.unique_pdf(), doc_type="cccd", fields={"id_number": OWNER_ID, "full_name": "An"}
    )
    clerk = api.user("clerk", ["clerk"], [AGENCY_A])
    key = api.key("dvc", ["lookup"], ["*"])
    assert (
        api.client.post("/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}).status_code
        == 200
    )
    assert api.client.get("/api/v1/lookup", params={"owner": OWNER_ID}, headers=key).status_code == 200
    assert api.client.get("/api/v1/documents", params={"owner": OWNER_ID}, headers=clerk).status_code == 200
    wrong = "0" + OWNER_ID[1:]
    fixed = api.client.patch(
        f"/api/v1/documents/{doc}/fields/id_number", json={"value": wrong}, headers=clerk
    )
    assert fixed.status_code == 200
    assert api.client.get("/api/v1/lookup", params={"owner": OWNER_ID + "9"}, headers=key).status_code == 422
    assert any("GET /api/v1/lookup 200" in r.getMessage() for r in caplog.records)  # the log was captured
    # The test's own HTTP client (httpx) logs its request URLs; everything else is the server.
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    for secret in (OWNER_ID, wrong, PASSWORD):
        assert secret not in text


def test_serve_with_two_processes(tmp_path: Path) -> None:
    from tests.api.live import LiveServer, env_for

    data = tmp_path / "data"
    server = LiveServer(data, env_for(data), tmp_path / "serve.log", "--workers", "2")
    try:
        import httpx

        assert httpx.get(f"{server.url}/healthz", timeout=30).json()["ready"] is True
        assert httpx.get(f"{server.url}/documents", timeout=30).status_code == 401
    finally:
        log = server.stop()
    assert log.count("Started server process") == 2, log[-2000:]
    assert "GET /documents 401" in log
