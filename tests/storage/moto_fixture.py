"""moto's S3 server mode on loopback, standing in for MinIO in tests (no Docker engine here).

Import the fixtures into a ``conftest.py`` (``from tests.storage.moto_fixture import
moto_endpoint, minio_settings_for``) to run any code against the MinIO backend. One server per
xdist worker (session scope, free port); tests isolate themselves with a unique bucket prefix.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from config.settings import Settings, load_settings
from tests.live_server import free_port


class MotoServer:
    """A moto server that can be stopped and restarted on the same port (an outage and back).

    ``ThreadedMotoServer.stop`` leaves the listening socket open (clients would hang rather than
    be refused) and keeps serving open keep-alive connections; ``stop`` here closes the listening
    socket and resets every open connection, as a crashed or unplugged server would.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._server: ThreadedMotoServer | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        inner = self._server._server
        assert inner is not None
        accept = inner.get_request

        def tracked_accept() -> tuple[socket.socket, object]:
            conn, addr = accept()
            with self._lock:
                self._connections.add(conn)
            return conn, addr

        inner.get_request = tracked_accept  # type: ignore[method-assign]

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        inner = self._server._server
        if inner is not None:
            inner.server_close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None


def _running() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    yield from _running()


@pytest.fixture
def own_moto_server() -> Iterator[MotoServer]:
    """A server of the test's own, which it may stop and start again (an outage and back)."""
    yield from _running()


@pytest.fixture(scope="session")
def moto_endpoint(moto_server: MotoServer) -> str:
    return moto_server.endpoint


def minio_settings_for(endpoint: str, data_dir: Path, **storage: object) -> Settings:
    """Settings for the MinIO backend on ``endpoint`` with a bucket prefix unique to the caller."""
    values: dict[str, object] = {
        "backend": "minio",
        "endpoint": endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "secure": False,
        "bucket_prefix": "t" + uuid.uuid4().hex[:12],
        "retry_seconds": 5.0,
    }
    values.update(storage)
    return load_settings(data_dir=data_dir, storage=values)
