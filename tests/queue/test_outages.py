"""A worker on another "host" (its own network namespace), and outages in the middle of a job.

- the worker in the namespace reaches the broker, PostgreSQL and the S3 store only over a veth
  link, through proxies in the root namespace listening on the link's address; its PostgreSQL
  proxy is stopped mid-job (connections reset, new ones refused) and started again: the worker
  retries with backoff, nothing is lost and the job resumes and completes;
- the broker goes away mid-batch (all connections reset) and comes back: page tasks in flight
  are given back and the dossier completes with every page once.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from storage.objects.factory import open_object_store
from storage.objects.keys import hash_file
from tests.queue.checks import assert_recorded_once
from tests.queue.cluster import Cluster, Worker, make_dossier_pdf, page_rows
from tests.queue.network import TcpProxy, namespace

pytestmark = pytest.mark.slow

PARTS = ("degraded_multi_document.pdf",)  # 4 pages: enough to be mid-job, short enough to run


def _hostport(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def _retried(worker: Worker) -> bool:
    return bool(re.search(r"Task sohoa\.\w+\[[0-9a-f-]+\] retry", worker.log.read_text(errors="replace")))


def _wait(condition: object, timeout: float, what: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {timeout:.0f} s\n{cluster.log_tail()}")


@pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2 (and root) for a network namespace")
def test_worker_in_own_namespace_survives_database_outage(cluster: Cluster, tmp_path: Path) -> None:
    cluster.start_api()
    engine = cluster.engine()
    clerk = cluster.clerk(engine)
    with namespace() as ns:
        broker = urlsplit(cluster.broker_url)
        db = urlsplit(cluster.database_url)
        s3_host, s3_port = cluster.storage["endpoint"].split(":")
        amqp = TcpProxy((broker.hostname or "", broker.port or 5672), (ns.host_ip, 0)).start()
        pg = TcpProxy((db.hostname or "", db.port or 5432), (ns.host_ip, 0)).start()
        s3 = TcpProxy((s3_host, int(s3_port)), (ns.host_ip, 0)).start()
        try:
            far = cluster.start_worker(
                "far",
                prefix_cmd=ns.exec_prefix,
                SOHOA_QUEUE__BROKER_URL=cluster.broker_url.replace(
                    broker.netloc, f"guest:guest@{amqp.address}"
                ),
                SOHOA_DATABASE__URL=cluster.database_url.replace(db.netloc, f"postgres@{pg.address}"),
                SOHOA_STORAGE__ENDPOINT=s3.address,
            )
            scan = make_dossier_pdf(tmp_path / "ho-so.pdf", PARTS)
            sha = hash_file(scan).sha256
            job_id = cluster.upload(clerk, scan)
            _wait(lambda: len(page_rows(engine, sha)) >= 1, 300, "a first page", cluster)
            pg.stop()  # PostgreSQL unreachable from the worker's host
            _wait(lambda: _retried(far), 180, "a retry while the database is away", cluster)
            time.sleep(3)
            pg.start()
            job = cluster.wait_job(clerk, job_id)
        finally:
            for proxy in (amqp, pg, s3):
                proxy.stop()
            cluster.stop()
    store = open_object_store(cluster.settings())
    workers = assert_recorded_once(engine, store, job, sha, 4)
    assert workers == {f"far@{cluster.prefix}"}  # every page crossed the veth link
    assert "OperationalError" in far.log.read_text(errors="replace") or "DatabaseError" in far.log.read_text(
        errors="replace"
    )
    engine.dispose()


def test_broker_goes_away_mid_batch(cluster: Cluster, tmp_path: Path) -> None:
    """Broker connections reset mid-batch (a proxy in front of the system RabbitMQ, which other
    sessions share and which is not ours to restart); the private-node restart is in
    test_broker_restart.py."""
    host, port = _hostport(cluster.broker_url.rsplit("/", 1)[0] + "/")
    proxy = TcpProxy((host, port)).start()
    cluster.broker_url = cluster.broker_url.replace(f"{host}:{port}", proxy.address)
    cluster.start_api()
    engine = cluster.engine()
    clerk = cluster.clerk(engine)
    a = cluster.start_worker("a")
    scan = make_dossier_pdf(tmp_path / "ho-so.pdf", PARTS)
    sha = hash_file(scan).sha256
    try:
        job_id = cluster.upload(clerk, scan)
        _wait(lambda: len(page_rows(engine, sha)) >= 1, 300, "a first page", cluster)
        proxy.stop()
        time.sleep(8)
        proxy.start()
        job = cluster.wait_job(clerk, job_id)
    finally:
        proxy.stop()
        cluster.stop()
    assert_recorded_once(engine, open_object_store(cluster.settings()), job, sha, 4)
    log = a.log.read_text(errors="replace")
    assert "Connection to broker lost" in log or "consumer: Cannot connect" in log, log[-3000:]
    engine.dispose()
