"""The broker restarted mid-batch (a private RabbitMQ node: the system one is shared).

Two workers, a 4-page file: after the first page is stored the node's RabbitMQ application is
stopped and started again. Workers reconnect, tasks in flight come back from the durable
queues, and the dossier completes with every page once and nothing left over.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from storage.objects.factory import open_object_store
from storage.objects.keys import hash_file
from tests.queue.checks import assert_recorded_once
from tests.queue.cluster import Cluster, make_dossier_pdf, page_rows, pg_database
from tests.queue.conftest import storage_for
from tests.queue.private_rabbit import available, private_rabbitmq
from tests.storage.moto_fixture import MotoServer

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not available(), reason="needs rabbitmq-server and root")]


def test_broker_restarted_mid_batch(tmp_path: Path, moto: MotoServer) -> None:
    with private_rabbitmq() as rabbit, pg_database() as db:
        cluster = Cluster(tmp_path, rabbit.url, db, storage_for(moto.endpoint))
        try:
            cluster.start_api()
            engine = cluster.engine()
            clerk = cluster.clerk(engine)
            cluster.start_worker("a")
            cluster.start_worker("b")
            scan = make_dossier_pdf(tmp_path / "ho-so.pdf", ("degraded_multi_document.pdf",))
            sha = hash_file(scan).sha256
            job_id = cluster.upload(clerk, scan)
            deadline = time.monotonic() + 300
            while not page_rows(engine, sha):
                assert time.monotonic() < deadline, cluster.log_tail()
                time.sleep(0.2)
            rabbit.restart()
            job = cluster.wait_job(clerk, job_id)
        finally:
            cluster.stop()
        assert len(page_rows(engine, sha)) == 4
        store = open_object_store(cluster.settings())
        assert_recorded_once(engine, store, job, sha, 4)
        logs = "".join(w.log.read_text(errors="replace") for w in cluster.workers)
        assert "Connection to broker lost" in logs or "Cannot connect" in logs, cluster.log_tail()
        engine.dispose()
