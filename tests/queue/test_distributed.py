"""The issue's end-to-end case: an 11-page upload, two workers on RabbitMQ, PostgreSQL and S3.

Each worker has its own data directory; the API only enqueues. One worker is SIGKILLed while it
holds a page: its message goes back to the queue, the other worker finishes, and every page and
every document is recorded exactly once with nothing left over in the store.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from storage.objects.factory import open_object_store
from storage.objects.keys import hash_file
from tests.queue.checks import assert_recorded_once
from tests.queue.cluster import Cluster, Worker, make_dossier_pdf, page_rows

pytestmark = pytest.mark.slow


def busy_with_page(worker: Worker) -> bool:
    """The worker's log shows a page task received and not yet finished (it holds one now)."""
    log = worker.log.read_text(errors="replace")
    received = set(re.findall(r"Task sohoa\.page\[([0-9a-f-]+)\] received", log))
    finished = set(re.findall(r"Task sohoa\.page\[([0-9a-f-]+)\] (?:succeeded|retry|raised)", log))
    return bool(received - finished)


def test_eleven_pages_two_workers_one_killed_mid_page(cluster: Cluster, tmp_path: Path) -> None:
    cluster.start_api()
    engine = cluster.engine()
    clerk = cluster.clerk(engine)
    a = cluster.start_worker("a")
    b = cluster.start_worker("b")
    dossier = make_dossier_pdf(tmp_path / "ho-so-11-trang.pdf")
    sha = hash_file(dossier).sha256
    job_id = cluster.upload(clerk, dossier)

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # a has finished a page of its own and holds another one
        if any(w.startswith("a@") for _, w in page_rows(engine, sha)) and busy_with_page(a):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("worker a never held a page\n" + cluster.log_tail())
    held_before = len(page_rows(engine, sha))
    a.kill()
    assert held_before < 11, "the job finished before the kill: nothing was tested"

    job = cluster.wait_job(clerk, job_id)
    assert job["status"] == "done", (job, cluster.log_tail())
    store = open_object_store(cluster.settings())
    workers = assert_recorded_once(engine, store, job, sha, 11)
    assert {w.split("@")[0] for w in workers} == {"a", "b"}, workers  # both workers OCR'd pages
    assert job["pages_done"] == 11 and job["pages_total"] == 11, job
    assert len(job["result"]["documents"]) >= 3, job["result"]
    assert job["result"]["quarantined"] == []
    assert "sohoa.page" not in cluster.api.log.read_text(errors="replace")  # no page ran in the API
    # The page a held was given back to the queue and OCR'd by b.
    assert "sohoa.page" in b.log.read_text(errors="replace")
    engine.dispose()
