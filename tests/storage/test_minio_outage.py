"""The object server going away: bounded retries, a clear error, and recovery when it returns."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from pathlib import Path

import pytest

from config.errors import ExitCode
from storage.objects.base import Bucket
from storage.objects.errors import StorageUnavailableError
from storage.objects.minio_store import MinioStore
from tests.storage import moto_fixture
from tests.storage.moto_fixture import MotoServer, minio_settings_for

MiB = 1024 * 1024


server = moto_fixture.own_moto_server  # stopped and restarted by the tests


def make_store(server: MotoServer, tmp_path: Path, retry_seconds: float, **kw: int) -> MinioStore:
    settings = minio_settings_for(server.endpoint, tmp_path / "data", retry_seconds=retry_seconds)
    store = MinioStore.from_settings(settings, **kw)
    store.ensure_buckets()
    return store


def test_outage_fails_clearly_within_bound_then_recovers(server: MotoServer, tmp_path: Path) -> None:
    store = make_store(server, tmp_path, retry_seconds=2.0)
    kept = store.put_bytes(
        Bucket.ORIGINALS, b"stored before the outage", metadata={"owner-id": "027095001234"}
    )
    server.stop()
    src = tmp_path / "scan.pdf"
    src.write_bytes(b"%PDF during outage")
    calls = {
        "put_file": lambda: store.put_file(Bucket.ORIGINALS, src, metadata={"owner-id": "027095001234"}),
        "stat": lambda: store.stat(Bucket.ORIGINALS, kept.key),
        "get_file": lambda: store.get_file(Bucket.ORIGINALS, kept.key, tmp_path / "out"),
        "list": lambda: list(store.list_keys(Bucket.ORIGINALS)),
        "delete": lambda: store.delete(Bucket.ORIGINALS, kept.key),
    }
    for name, call in calls.items():
        started = time.monotonic()
        with pytest.raises(StorageUnavailableError) as info:
            call()
        elapsed = time.monotonic() - started
        assert 2.0 <= elapsed < 2.0 + 3.0, (name, elapsed)
        assert info.value.exit_code == ExitCode.STORAGE
        assert "027095001234" not in str(info.value)
        assert "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()

    server.start()
    assert store.stat(Bucket.ORIGINALS, kept.key) is not None
    assert store.put_file(Bucket.ORIGINALS, src).created is True
    assert sorted(store.list_keys(Bucket.ORIGINALS)) == sorted(
        [kept.key, hashlib.sha256(src.read_bytes()).hexdigest()]
    )


def test_brief_outage_is_ridden_out(
    server: MotoServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(server, tmp_path, retry_seconds=15.0)
    server.stop()
    restart = threading.Timer(1.0, server.start)
    restart.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="storage.objects.retry"):
        obj = store.put_bytes(Bucket.DIGITISED, b"stored once the server is back")
    restart.join()
    assert obj.created is True
    assert time.monotonic() - started >= 0.9
    assert any("unreachable" in r.getMessage() for r in caplog.records)
    with store.open(Bucket.DIGITISED, obj.key) as reader:
        assert reader.read() == b"stored once the server is back"


def test_server_stopped_mid_multipart_upload(
    server: MotoServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(server, tmp_path, retry_seconds=20.0, part_size=5 * MiB)
    src = tmp_path / "big.tif"
    data = os.urandom(20 * MiB)
    src.write_bytes(data)

    def outage() -> None:
        # Stop once the upload is under way (the first part has reached the server), come back later.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _upload_started(caplog):
            time.sleep(0.005)
        server.stop()
        time.sleep(1.0)
        server.start()

    caplog.set_level(logging.INFO)
    interrupter = threading.Thread(target=outage)
    interrupter.start()
    obj = store.put_file(Bucket.ORIGINALS, src)
    interrupter.join()
    assert any("unreachable" in r.getMessage() for r in caplog.records if r.name == "storage.objects.retry")
    assert obj.key == hashlib.sha256(data).hexdigest()
    out = store.get_file(Bucket.ORIGINALS, obj.key, tmp_path / "big.out")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == obj.key


def _upload_started(caplog: pytest.LogCaptureFixture) -> bool:
    return any("uploads" in r.getMessage() or "partNumber" in r.getMessage() for r in list(caplog.records))
