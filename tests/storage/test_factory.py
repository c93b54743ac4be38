"""``open_object_store`` picks the backend from settings and touches nothing until first use."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from config.settings import load_settings
from storage.objects.base import Bucket
from storage.objects.directory_store import DirectoryStore
from storage.objects.factory import open_object_store
from storage.objects.minio_store import MinioStore
from tests.storage.moto_fixture import free_port

MiB = 1024 * 1024


def test_default_is_the_directory_store_under_the_data_dir(tmp_path: Path) -> None:
    store = open_object_store(load_settings(data_dir=tmp_path / "data"))
    assert isinstance(store, DirectoryStore)
    assert store.root == tmp_path / "data" / "objects"
    assert not (tmp_path / "data").exists()  # nothing created before first use
    store.put_bytes(Bucket.ORIGINALS, b"x")
    assert sorted(p.name for p in store.root.iterdir() if not p.name.startswith(".")) == [
        "digitised",
        "incoming",  # the queue's uploads, before their job records them
        "originals",
        "signed",
    ]


def test_minio_backend_without_network_at_construction(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        storage={"backend": "minio", "endpoint": f"127.0.0.1:{free_port()}", "bucket_prefix": "ubnd-xa"},
    )
    store = open_object_store(settings)
    assert isinstance(store, MinioStore)
    assert store.bucket_name(Bucket.SIGNED) == "ubnd-xa-signed"
    assert store.retry_seconds == settings.storage.retry_seconds


def test_directory_store_streams_large_files(tmp_path: Path) -> None:
    """A large scan goes through in chunks: memory stays far below the file size."""
    store = open_object_store(load_settings(data_dir=tmp_path / "data"))
    src = tmp_path / "big.tif"
    with open(src, "wb") as f:
        for i in range(40):
            f.write(bytes([i]) * MiB)
    tracemalloc.start()
    try:
        key = store.put_file(Bucket.ORIGINALS, src).key
        store.get_file(Bucket.ORIGINALS, key, tmp_path / "big.out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "big.out").stat().st_size == 40 * MiB
    assert peak < 8 * MiB, peak
