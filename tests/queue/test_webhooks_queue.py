"""With a broker the workers finish jobs, so they announce them: ``job.finished`` webhooks.

RabbitMQ, PostgreSQL, moto S3; the API runs with ``--no-worker`` (it sends nothing), one
``sohoa worker`` holds the webhook secret. A good scan and a broken one are two jobs: the loopback
receiver gets exactly one signed ``job.finished`` per job - the first answer is a 500, so one
delivery is retried - and nothing more afterwards.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.webhooks import SIGNATURE_HEADER, add_subscription, verify_signature
from storage.db.engine import run_in_transaction
from storage.db.webhook_models import WebhookDelivery
from tests.api.conftest import text_pdf
from tests.api.test_api_webhooks import SECRET, SECRET_ENV, Receiver, serving
from tests.queue.cluster import Cluster

CPU_LINE = re.compile(
    r"Task sohoa\.(\w+)\[[0-9a-f-]+\] cpu ([0-9.]+) s \(in process ([0-9.]+) s, subprocesses ([0-9.]+) s\)"
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving(Receiver(script=[500])) as box:
        yield box


def test_queue_jobs_announce_job_finished_once(cluster: Cluster, receiver: Receiver, tmp_path: Path) -> None:
    cluster.start_api()
    engine = cluster.engine()
    clerk = cluster.clerk(engine)
    run_in_transaction(
        engine, lambda s: add_subscription(s, receiver.url, ["job.finished"], SECRET_ENV, actor="test")
    )
    worker = cluster.start_worker(
        "a", SOHOA_API__WEBHOOK_RETRY_SECONDS="0.5", **{SECRET_ENV: SECRET}
    )
    good = cluster.upload(clerk, text_pdf(tmp_path / "don.pdf", "DON DE NGHI CAP BAN SAO 2026"))
    bad_path = tmp_path / "hong.pdf"
    bad_path.write_bytes(b"%PDF-1.4 broken")
    bad = cluster.upload(clerk, bad_path)
    jobs = {job_id: cluster.wait_job(clerk, job_id) for job_id in (good, bad)}
    assert jobs[good]["result"]["documents"], jobs[good]
    assert [q["file"] for q in jobs[bad]["result"]["quarantined"]] == ["hong.pdf"], jobs[bad]
    # each task's CPU is logged, its subprocesses apart: the one-page upload was OCR'd inline in
    # its prepare task (poppler and Tesseract ran), the broken one was refused before any
    cpu = [
        (name, float(total), float(own), float(sub))
        for name, total, own, sub in CPU_LINE.findall(worker.log.read_text(errors="replace"))
    ]
    prepares = sorted((c for c in cpu if c[0] == "prepare"), key=lambda c: c[3])
    assert len(prepares) == 2 and prepares[0][3] == 0 < prepares[1][3], cpu
    assert all(total == pytest.approx(own + sub, abs=0.002) for _, total, own, sub in cpu), cpu
    deadline = time.monotonic() + 60
    while len([c for c in receiver.calls if c.answered == 200]) < 2:
        assert time.monotonic() < deadline, (receiver.calls, cluster.log_tail())
        time.sleep(0.2)
    time.sleep(3)  # nothing more comes: each job is announced once
    delivered = [c for c in receiver.calls if c.answered == 200]
    assert len(delivered) == 2 and len(receiver.calls) == 3, receiver.calls  # + the one 500
    payloads = [json.loads(c.body) for c in delivered]
    assert {p["data"]["job_id"] for p in payloads} == {good, bad}
    assert {p["type"] for p in payloads} == {"job.finished"}
    assert {p["data"]["status"] for p in payloads} == {"done"}
    for call in delivered:
        assert verify_signature(SECRET, call.headers[SIGNATURE_HEADER], call.body)
    with Session(engine) as session:
        rows = session.scalars(select(WebhookDelivery)).all()
        assert sorted(r.status for r in rows) == ["delivered", "delivered"]
    engine.dispose()
