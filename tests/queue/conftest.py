"""Fixtures of the distributed-intake tests: RabbitMQ vhost, PostgreSQL database, moto S3."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.queue.cluster import Cluster, pg_database, rabbit_vhost
from tests.storage.moto_fixture import MotoServer


def _have_services() -> str | None:
    if shutil.which("rabbitmqctl") is None:
        return "rabbitmqctl not installed"
    return None


@pytest.fixture
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.stop()


def storage_for(endpoint: str) -> dict[str, str]:
    return {
        "backend": "minio",
        "endpoint": endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "secure": "false",
        "bucket_prefix": "t" + uuid.uuid4().hex[:12],
        "retry_seconds": "5",
    }


@pytest.fixture
def cluster(tmp_path: Path, moto: MotoServer) -> Iterator[Cluster]:
    reason = _have_services()
    if reason:
        pytest.skip(reason)
    with rabbit_vhost() as broker, pg_database() as db:
        c = Cluster(tmp_path, broker, db, storage_for(moto.endpoint))
        try:
            yield c
        finally:
            c.stop()
