"""What only the directory backend has: its layout, crash leftovers, locking and link secret."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from config.settings import load_settings
from storage.objects.base import Bucket
from storage.objects.directory_store import DirectoryStore
from storage.objects.errors import PresignError
from storage.objects.factory import open_object_store


@pytest.fixture
def store(tmp_path: Path) -> DirectoryStore:
    s = open_object_store(load_settings(data_dir=tmp_path / "data"))
    assert isinstance(s, DirectoryStore)
    return s


def test_layout_sidecar_and_permissions(store: DirectoryStore, tmp_path: Path) -> None:
    obj = store.put_bytes(Bucket.SIGNED, b"scan", metadata={"dossier": "D"}, retain=True)
    path = tmp_path / "data" / "objects" / "signed" / obj.key[:2] / obj.key
    assert path.read_bytes() == b"scan"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    side = json.loads(path.with_name(obj.key + ".json").read_text())
    assert side["metadata"] == {"dossier": "D", "sha256": obj.key}
    assert side["retain_until"] is not None
    assert list((path.parent.parent / ".tmp").iterdir()) == []


def test_crash_leftovers_are_invisible_and_repaired(store: DirectoryStore, tmp_path: Path) -> None:
    data = b"interrupted before the data file was renamed into place"
    obj = store.put_bytes(Bucket.ORIGINALS, data)
    data_path = store.root / "originals" / obj.key[:2] / obj.key
    data_path.unlink()  # as if killed after the sidecar and before the rename
    stray = store.root / "originals" / ".tmp" / ".tmp-stray"
    stray.write_bytes(b"half a scan")
    fresh = store.root / "originals" / ".tmp" / ".tmp-live-writer"
    fresh.write_bytes(b"another process is writing this")
    os.utime(stray, (time.time() - 2 * 86400,) * 2)
    assert store.stat(Bucket.ORIGINALS, obj.key) is None
    assert list(store.list_keys(Bucket.ORIGINALS)) == []
    again = store.put_bytes(Bucket.ORIGINALS, data)
    assert again.created is True
    assert list(store.list_keys(Bucket.ORIGINALS)) == [obj.key]
    # the next process sweeps temp files old enough to be orphans, and only those
    DirectoryStore(store.root).ensure_buckets()
    assert not stray.exists() and fresh.exists()


def test_data_file_without_sidecar_is_not_stored(store: DirectoryStore) -> None:
    """After a power loss only one of the two renames may have reached the disk."""
    obj = store.put_bytes(Bucket.DIGITISED, b"data landed, sidecar lost")
    (store.root / "digitised" / obj.key[:2] / (obj.key + ".json")).unlink()
    assert store.stat(Bucket.DIGITISED, obj.key) is None
    assert list(store.list_keys(Bucket.DIGITISED)) == []
    again = store.put_bytes(Bucket.DIGITISED, b"data landed, sidecar lost", metadata={"k": "v"})
    assert again.created is True
    assert list(store.list_keys(Bucket.DIGITISED)) == [obj.key]
    assert store.stat(Bucket.DIGITISED, obj.key).metadata["k"] == "v"  # type: ignore[union-attr]


def test_concurrent_puts_of_the_same_bytes_create_once(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    data = os.urandom(2_000_000)
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def put() -> None:
        s = DirectoryStore.from_settings(settings)  # separate instances, as separate processes
        barrier.wait()
        results.append(s.put_bytes(Bucket.ORIGINALS, data).created)

    threads = [threading.Thread(target=put) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_retention_lapses(tmp_path: Path) -> None:
    s = DirectoryStore(tmp_path / "objects", retention_days=0)
    obj = s.put_bytes(Bucket.SIGNED, b"retained for zero days", retain=True)
    s.delete(Bucket.SIGNED, obj.key)
    assert s.stat(Bucket.SIGNED, obj.key) is None


def test_presign_secret_shared_and_private(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    a = DirectoryStore.from_settings(settings)
    b = DirectoryStore.from_settings(settings)
    key = a.put_bytes(Bucket.DIGITISED, b"shared").key
    url = a.presigned_get_url(Bucket.DIGITISED, key, timedelta(minutes=1))
    assert b.verify_presigned(url) == (Bucket.DIGITISED, key)
    secret = tmp_path / "data" / "objects" / ".presign-secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    other = DirectoryStore.from_settings(load_settings(data_dir=tmp_path / "other"))
    with pytest.raises(PresignError):
        other.verify_presigned(url)


def test_verify_presigned_rejects(store: DirectoryStore) -> None:
    key = store.put_bytes(Bucket.DIGITISED, b"x").key
    url = store.presigned_get_url(Bucket.DIGITISED, key, timedelta(seconds=1))
    path_only = url[url.index("/objects/") :]
    assert store.verify_presigned(path_only) == (Bucket.DIGITISED, key)
    for bad in ["", "/objects/digitised/../../etc/passwd?expires=1&signature=x", "/nope/digitised/" + key]:
        with pytest.raises(PresignError):
            store.verify_presigned(bad)
    time.sleep(1.1)
    with pytest.raises(PresignError, match="hết hạn"):
        store.verify_presigned(url)


def test_get_file_creates_parent_and_leaves_no_temp(store: DirectoryStore, tmp_path: Path) -> None:
    key = store.put_bytes(Bucket.ORIGINALS, b"payload").key
    dest = store.get_file(Bucket.ORIGINALS, key, tmp_path / "new" / "dir" / "f.bin")
    assert dest.read_bytes() == b"payload"
    assert [p.name for p in dest.parent.iterdir()] == ["f.bin"]


def test_hash_not_matching_the_bytes_copied_is_refused(store: DirectoryStore, tmp_path: Path) -> None:
    """The directory store hashes while it copies, so even a wrong hash with an intact file is caught."""
    from dataclasses import replace

    from storage.objects.errors import SourceChangedError
    from storage.objects.keys import hash_file

    src = tmp_path / "scan.pdf"
    src.write_bytes(b"%PDF-1.7 scan")
    wrong = replace(hash_file(src), sha256="0" * 64)
    with pytest.raises(SourceChangedError):
        store.put_file(Bucket.ORIGINALS, wrong)
    assert list(store.list_keys(Bucket.ORIGINALS)) == []
    assert list((tmp_path / "data" / "objects" / "originals" / ".tmp").iterdir()) == []
