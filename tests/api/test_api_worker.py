"""A separate ``sohoa worker`` process runs the API's queued jobs; logs never carry id numbers."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.api.conftest import AGENCY_A, OWNER_ID, PASSWORD, Api, make_api
from tests.api.live import SOHOA
from tests.db.fixtures import Database
from tests.queue.cluster import rabbit_vhost


def test_separate_worker_process(db: Database, tmp_path: Path) -> None:
    """With a broker the API only enqueues; a ``sohoa worker`` process runs the job."""
    with rabbit_vhost() as broker:
        for api in make_api(db, tmp_path, queue={"broker_url": broker, "prefix": "w"}):
            clerk = api.user("clerk", ["clerk"], [AGENCY_A])
            response = api.client.post(
                "/intake",
                files={"files": ("hong.pdf", b"%PDF-1.4 broken")},
                data={"agency": AGENCY_A},
                headers=clerk,
            )
            assert response.status_code == 202
            job_id = response.json()["job_id"]
            assert api.client.get(f"/jobs/{job_id}", headers=clerk).json()["status"] == "queued"
            env = {
                **os.environ,
                "SOHOA_DATA_DIR": str(api.settings.data_dir),  # the directory store is the shared store here
                "SOHOA_DATABASE__URL": api.db.url,
                "SOHOA_STORAGE__BACKEND": "directory",
                "SOHOA_QUEUE__BROKER_URL": broker,
                "SOHOA_QUEUE__PREFIX": "w",
            }
            log = tmp_path / "worker.log"
            with open(log, "wb") as fh:
                worker = subprocess.Popen([SOHOA, "worker"], env=env, stdout=fh, stderr=subprocess.STDOUT)
                try:
                    deadline = time.monotonic() + 120
                    job = {}
                    while time.monotonic() < deadline:
                        job = api.client.get(f"/jobs/{job_id}", headers=clerk).json()
                        if job["status"] in ("done", "failed"):
                            break
                        time.sleep(0.3)
                finally:
                    worker.send_signal(signal.SIGTERM)
                    worker.wait(timeout=60)
            assert job["status"] == "done", (job, log.read_text(errors="replace"))
            assert [q["file"] for q in job["result"]["quarantined"]] == ["hong.pdf"]
            assert job["result"]["quarantined"][0]["reason"]
            assert job["result"]["dossier"].startswith(AGENCY_A)
            assert worker.returncode == 0, log.read_text(errors="replace")


def test_worker_without_broker_refuses(tmp_path: Path) -> None:
    env = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path), "SOHOA_STORAGE__BACKEND": "directory"}
    env.pop("SOHOA_QUEUE__BROKER_URL", None)
    subprocess.run([SOHOA, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    done = subprocess.run([SOHOA, "worker"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "SOHOA_QUEUE__BROKER_URL" in done.stderr


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
