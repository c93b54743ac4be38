"""Webhooks against a real loopback HTTP receiver: signed, retried after a 500, recorded."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from config.errors import ExitCode
from pipeline.services import Services
from pipeline.webhooks import SIGNATURE_HEADER, add_subscription, deliver_due, verify_signature
from storage.db.dossiers import create_dossier, get_dossier, set_status
from storage.db.engine import read_session, run_in_transaction
from storage.db.models import DossierStatus
from storage.db.webhook_models import WebhookDelivery
from tests.api.conftest import AGENCY_A, Api, make_api
from tests.api.live import SOHOA
from tests.db.fixtures import Database

SECRET = "bi-mat-chung-cua-he-thong-thu-nghiem"
SECRET_ENV = "SOHOA_TEST_WEBHOOK_SECRET"
RETRY = 0.5


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 answering the statuses of ``script`` in turn, then 200."""

    script: list[int]
    calls: list[Received] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.script.pop(0) if receiver.script else 200
                receiver.calls.append(Received(time.monotonic(), dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(Receiver(script=[500])) as box:
        yield box


@contextmanager
def serving(box: Receiver) -> Iterator[Receiver]:
    """``box`` answering on a free loopback port (its ``url`` set) until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), box.handler())
    box.url = f"http://127.0.0.1:{server.server_address[1]}/su-kien"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def wapi(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    yield from make_api(
        db, tmp_path, start_worker=True, api={"webhook_retry_seconds": RETRY, "webhook_max_attempts": 4}
    )


def wait_for(predicate: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_job_finished_is_signed_and_retried_after_a_500(wapi: Api, receiver: Receiver) -> None:
    admin = wapi.user("quantri", ["administrator"], ["*"])
    clerk = wapi.user("clerk", ["clerk"], [AGENCY_A])
    created = wapi.client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["job.finished", "dossier.returned"], "secret_env": SECRET_ENV},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["secret_env"] == SECRET_ENV and SECRET not in created.text
    # A clerk may not subscribe; a bad event is a validation problem.
    assert wapi.client.get("/api/v1/webhooks", headers=clerk).status_code == 403
    bad = wapi.client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["x"], "secret_env": SECRET_ENV},
        headers=admin,
    )
    assert bad.status_code == 422 and bad.json()["type"] == "urn:sohoa:problem:validation-error"

    job = wapi.client.post(
        "/api/v1/intake",
        files={"files": ("hong.pdf", b"%PDF-1.4 broken")},
        data={"agency": AGENCY_A},
        headers=clerk,
    )
    assert job.status_code == 202, job.text
    job_id = job.json()["job_id"]
    wait_for(lambda: len(receiver.calls) >= 2)

    first, second = receiver.calls[:2]
    assert (first.answered, second.answered) == (500, 200)
    assert first.headers["X-Sohoa-Delivery"] == second.headers["X-Sohoa-Delivery"]
    assert second.at - first.at >= RETRY * 0.9  # backed off, not hammered
    for call in (first, second):
        assert verify_signature(SECRET, call.headers[SIGNATURE_HEADER], call.body)
        assert not verify_signature("khoa-khac", call.headers[SIGNATURE_HEADER], call.body)
        assert not verify_signature(SECRET, call.headers[SIGNATURE_HEADER], call.body + b" ")
    event = json.loads(second.body)
    assert event["type"] == "job.finished" and second.headers["X-Sohoa-Event"] == "job.finished"
    assert event["data"]["job_id"] == job_id and event["data"]["status"] == "done"
    assert event["data"]["status_url"] == f"/api/v1/jobs/{job_id}"
    assert event["occurred_at"].endswith("Z")

    def delivered() -> bool:
        page = wapi.client.get("/api/v1/webhooks/deliveries", headers=admin).json()
        return page["total"] == 1 and page["items"][0]["status"] == "delivered"

    wait_for(delivered, 10)
    record = wapi.client.get("/api/v1/webhooks/deliveries", headers=admin).json()["items"][0]
    assert record["attempts"] == 2 and record["last_status"] == 200 and record["last_error"] is None

    # dossier.returned, through the status change every returning path makes.
    code = create_dossier(wapi.ctx.engine, AGENCY_A, actor="test")
    run_in_transaction(
        wapi.ctx.engine, lambda s: set_status(s, get_dossier(s, code), DossierStatus.RETURNED, actor="test")
    )

    def returned_events() -> list[dict[str, Any]]:
        events = [json.loads(c.body) for c in receiver.calls]
        return [e for e in events if e["type"] == "dossier.returned"]

    wait_for(returned_events, 30)
    (returned,) = returned_events()
    assert returned["data"]["dossier"] == code
    assert len(receiver.calls) == 3  # no event of a type not subscribed (result.signed), none twice


def test_gives_up_after_the_last_attempt_and_records_why(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    receiver.script[:] = [503, 503, 503]
    services = Services(settings=api.settings, engine=api.ctx.engine, store=api.ctx.store)
    run_in_transaction(
        api.ctx.engine,
        lambda s: add_subscription(s, receiver.url, ["dossier.returned"], SECRET_ENV, actor="test"),
    )
    code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
    run_in_transaction(
        api.ctx.engine, lambda s: set_status(s, get_dossier(s, code), DossierStatus.RETURNED, actor="test")
    )
    with httpx.Client(timeout=5, trust_env=False) as client:
        for _ in range(3):
            deliver_due(services, client, retry_seconds=0.05, max_attempts=3)
            time.sleep(0.3)  # past the (doubling) backoff
        assert deliver_due(services, client, retry_seconds=0.05, max_attempts=3) == 0  # nothing left
    with read_session(api.ctx.engine) as session:
        (delivery,) = session.scalars(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 3, 503)
        assert delivery.last_error == "HTTP 503"
    assert [c.answered for c in receiver.calls] == [503, 503, 503]


def test_missing_secret_is_an_attempt_with_a_reason(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    services = Services(settings=api.settings, engine=api.ctx.engine, store=api.ctx.store)
    run_in_transaction(
        api.ctx.engine,
        lambda s: add_subscription(s, receiver.url, ["dossier.returned"], SECRET_ENV, actor="test"),
    )
    code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
    run_in_transaction(
        api.ctx.engine, lambda s: set_status(s, get_dossier(s, code), DossierStatus.RETURNED, actor="test")
    )
    with httpx.Client(timeout=5, trust_env=False) as client:
        assert deliver_due(services, client, retry_seconds=60, max_attempts=3) == 1
    assert receiver.calls == []  # never sent unsigned
    with read_session(api.ctx.engine) as session:
        (delivery,) = session.scalars(select(WebhookDelivery))
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.last_error == f"secret variable {SECRET_ENV} is not set"


@pytest.mark.slow  # seven sohoa processes
def test_admin_add_webhook_command(tmp_path: Path) -> None:
    env = {**os.environ, "SOHOA_DATA_DIR": str(tmp_path / "data"), SECRET_ENV: SECRET}

    def sohoa(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([SOHOA, *args], env=env, capture_output=True, text=True, timeout=120)

    assert sohoa("db", "upgrade").returncode == 0
    added = sohoa(
        "admin",
        "add-webhook",
        "https://127.0.0.1:9/su-kien",
        "--events",
        "job.finished,result.signed",
        "--secret-env",
        SECRET_ENV,
    )
    assert added.returncode == 0, added.stderr
    assert "#1" in added.stdout and SECRET not in added.stdout + added.stderr
    listed = sohoa("admin", "list-webhooks")
    assert (
        listed.returncode == 0
        and "job.finished,result.signed" in listed.stdout
        and SECRET_ENV in listed.stdout
    )
    bad = sohoa("admin", "add-webhook", "ftp://x/y", "--events", "job.finished", "--secret-env", SECRET_ENV)
    assert bad.returncode == int(ExitCode.BAD_ARGS) and "http" in bad.stderr and "Traceback" not in bad.stderr
    unknown = sohoa("admin", "add-webhook", "https://x/y", "--events", "job.done", "--secret-env", SECRET_ENV)
    assert unknown.returncode == int(ExitCode.BAD_ARGS) and "job.done" in unknown.stderr
    removed = sohoa("admin", "remove-webhook", "1")
    assert removed.returncode == 0 and "đã hủy" in sohoa("admin", "list-webhooks").stdout


def test_idle_loop_backs_off_and_still_sends_at_once(
    api: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: an idle dispatcher polls ever less often, yet a new event wakes it (LISTEN)."""
    if api.ctx.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite polls every poll_seconds")
    import pipeline.webhooks as webhooks

    monkeypatch.setenv(SECRET_ENV, SECRET)
    receiver.script[:] = []
    services = Services(settings=api.settings, engine=api.ctx.engine, store=api.ctx.store)
    run_in_transaction(
        api.ctx.engine,
        lambda s: add_subscription(s, receiver.url, ["dossier.returned"], SECRET_ENV, actor="test"),
    )
    polls: list[float] = []
    real = webhooks.deliver_due

    def counted(*args: Any, **kwargs: Any) -> int:
        polls.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(webhooks, "deliver_due", counted)
    loop = webhooks.WebhookDispatcher(
        services, retry_seconds=60, max_attempts=3, poll_seconds=0.1, idle_seconds=30
    )
    loop.start()
    try:
        time.sleep(3.0)
        # 0.1 s doubling: polls at about 0, 0.1, 0.3, 0.7, 1.5, 3.1 s; every 0.1 s would be 30
        assert 3 <= len(polls) <= 7, polls
        code = create_dossier(api.ctx.engine, AGENCY_A, actor="test")
        committed = time.monotonic()

        def returned(s: Any) -> None:
            set_status(s, get_dossier(s, code), DossierStatus.RETURNED, actor="test")

        run_in_transaction(api.ctx.engine, returned)
        wait_for(lambda: len(receiver.calls) == 1, seconds=10)
        assert receiver.calls[0].at - committed < 1.0  # woken by the notification, not the back-off
    finally:
        loop.stop()
    assert loop._thread is None  # stopped within the join's timeout
