"""What only the MinIO backend has: buckets, versioning, server-side object lock, S3 metadata."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio.error import S3Error

from config.settings import Settings
from storage.objects.base import Bucket, StoredObject
from storage.objects.errors import ObjectLockedError, StorageError, StorageUnavailableError
from storage.objects.factory import open_object_store
from storage.objects.minio_store import MinioStore
from tests.storage.moto_fixture import free_port, minio_settings_for
from tests.storage.raw_minio import raw_client

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(moto_endpoint: str, tmp_path: Path) -> Settings:
    return minio_settings_for(moto_endpoint, tmp_path / "data", retention_days=30)


@pytest.fixture
def store(settings: Settings) -> MinioStore:
    s = open_object_store(settings)
    assert isinstance(s, MinioStore)
    s.ensure_buckets()
    return s


def test_buckets_versioned_and_signed_bucket_locked(store: MinioStore, settings: Settings) -> None:
    raw = raw_client(settings)
    prefix = settings.storage.bucket_prefix
    for bucket in Bucket:
        name = f"{prefix}-{bucket.value}"
        assert raw.bucket_exists(name)
        assert raw.get_bucket_versioning(name).status == "Enabled"
    assert store.object_lock_supported
    assert raw.get_object_lock_config(f"{prefix}-signed") is not None
    store.ensure_buckets()  # idempotent
    MinioStore.from_settings(settings).ensure_buckets()  # and from another process's view


def test_server_itself_refuses_to_delete_a_retained_version(store: MinioStore, settings: Settings) -> None:
    obj = store.put_bytes(Bucket.SIGNED, b"%PDF signed", retain=True)
    until = store.retained_until(Bucket.SIGNED, obj.key)
    assert until is not None
    expected = datetime.now(UTC) + timedelta(days=30)
    assert abs((until - expected).total_seconds()) < 120
    raw = raw_client(settings)
    name = f"{settings.storage.bucket_prefix}-signed"
    with pytest.raises(S3Error) as info:
        raw.remove_object(name, obj.key, version_id=obj.version_id)
    assert info.value.code == "AccessDenied"
    with pytest.raises(ObjectLockedError):
        store.delete(Bucket.SIGNED, obj.key)
    # An overwrite through the raw SDK only adds a version: the retained one is still there.
    raw.put_object(name, obj.key, io.BytesIO(b"forged"), 6)
    versions = [o.version_id for o in raw.list_objects(name, prefix=obj.key, include_version=True)]
    assert obj.version_id in versions
    assert raw.get_object(name, obj.key, version_id=obj.version_id).read() == b"%PDF signed"


def test_unretained_signed_object_has_no_retention(store: MinioStore) -> None:
    obj = store.put_bytes(Bucket.SIGNED, b"draft, not yet retained")
    assert store.retained_until(Bucket.SIGNED, obj.key) is None
    store.delete(Bucket.SIGNED, obj.key)
    assert store.stat(Bucket.SIGNED, obj.key) is None


def test_delete_removes_every_version(store: MinioStore, settings: Settings) -> None:
    obj = store.put_bytes(Bucket.ORIGINALS, b"twice")
    raw = raw_client(settings)
    name = f"{settings.storage.bucket_prefix}-originals"
    raw.put_object(name, obj.key, io.BytesIO(b"twice"), 5)
    assert len(list(raw.list_objects(name, prefix=obj.key, include_version=True))) == 2
    store.delete(Bucket.ORIGINALS, obj.key)
    assert list(raw.list_objects(name, prefix=obj.key, include_version=True)) == []


def test_metadata_travels_as_x_amz_meta(store: MinioStore, settings: Settings) -> None:
    obj = store.put_bytes(
        Bucket.DIGITISED,
        b"%PDF",
        content_type="application/pdf",
        metadata={
            "dossier": "H26-260105-0001",
            "doc-type": "cccd",
            "owner-id": "027095001234",
            "name": "Lê Văn Tám",
        },
    )
    head = raw_client(settings).stat_object(f"{settings.storage.bucket_prefix}-digitised", obj.key)
    headers = {k.lower(): v for k, v in head.metadata.items()}
    assert headers["x-amz-meta-sha256"] == obj.key
    assert headers["x-amz-meta-dossier"] == "H26-260105-0001"
    assert headers["x-amz-meta-doc-type"] == "cccd"
    assert headers["x-amz-meta-owner-id"] == "027095001234"
    assert headers["x-amz-meta-name"].isascii() and headers["x-amz-meta-name"] != "Lê Văn Tám"
    assert head.content_type == "application/pdf"


def test_lock_unsupported_degrades_with_a_warning(
    moto_endpoint: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A signed bucket made beforehand without object lock stands in for a server without it.
    settings = minio_settings_for(moto_endpoint, tmp_path / "data")
    raw_client(settings).make_bucket(f"{settings.storage.bucket_prefix}-signed")
    store = MinioStore.from_settings(settings)
    with caplog.at_level(logging.WARNING, logger="storage.objects.minio_store"):
        store.ensure_buckets()
        assert store.object_lock_supported is False
        obj = store.put_bytes(Bucket.SIGNED, b"signed, unprotected", retain=True)
    assert any("object lock" in r.getMessage() for r in caplog.records)
    assert obj.created and store.retained_until(Bucket.SIGNED, obj.key) is None


def test_invalid_bucket_prefix_refused(moto_endpoint: str, tmp_path: Path) -> None:
    settings = minio_settings_for(moto_endpoint, tmp_path / "data", bucket_prefix="Bad_Prefix")
    with pytest.raises(StorageError) as info:
        MinioStore.from_settings(settings)
    assert "Bad_Prefix" in str(info.value)


def test_unreachable_at_start(tmp_path: Path) -> None:
    settings = minio_settings_for(f"127.0.0.1:{free_port()}", tmp_path / "data", retry_seconds=0.5)
    store = open_object_store(settings)  # no network at construction
    with pytest.raises(StorageUnavailableError):
        store.put_bytes(Bucket.ORIGINALS, b"x")


def test_no_boto_in_storage_code() -> None:
    for path in (REPO / "storage" / "objects").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(boto3|botocore|moto)\b", text, re.M), path


def _versions(settings: Settings, bucket: Bucket, key: str) -> list[str]:
    name = f"{settings.storage.bucket_prefix}-{bucket.value}"
    return [
        str(o.version_id)
        for o in raw_client(settings).list_objects(name, prefix=key, include_version=True)
        if not o.is_delete_marker
    ]


def test_same_content_is_one_version_however_it_arrives(
    store: MinioStore, settings: Settings, tmp_path: Path
) -> None:
    """The "already stored?" check runs beside the upload: a second copy is removed again."""
    from storage.objects.keys import hash_file

    small, big = tmp_path / "small.pdf", tmp_path / "big.tif"
    small.write_bytes(b"%PDF small scan" * 1000)
    big.write_bytes(os.urandom(store.part_size + 1000))  # goes up in parts
    for src in (small, big):
        first = store.put_file(Bucket.ORIGINALS, src, metadata={"dossier": "D1"})
        later = [
            store.put_file(Bucket.ORIGINALS, src, metadata={"dossier": "D2"}),
            store.put_file(Bucket.ORIGINALS, hash_file(src)),
            store.put_bytes(Bucket.ORIGINALS, src.read_bytes()),
        ]
        assert first.created and not any(o.created for o in later)
        assert {o.version_id for o in later} == {first.version_id}
        assert all(o.metadata["dossier"] == "D1" for o in later)
        assert _versions(settings, Bucket.ORIGINALS, first.key) == [first.version_id]


def test_uploads_are_create_only_and_the_probe_leaves_nothing(store: MinioStore, settings: Settings) -> None:
    assert store.create_only_writes
    raw = raw_client(settings)
    for bucket in Bucket:
        assert list(raw.list_objects(store.bucket_name(bucket), recursive=True, include_version=True)) == []


def test_without_create_only_writes_a_head_keeps_it_one_version(settings: Settings, tmp_path: Path) -> None:
    """A server that ignores If-None-Match: the store asks first, as it did before."""
    store = MinioStore.from_settings(settings)
    store.ensure_buckets()
    store._create_only = False  # what ensure_buckets concludes on such a server
    src = tmp_path / "scan.pdf"
    src.write_bytes(os.urandom(30_000))
    first = store.put_file(Bucket.ORIGINALS, src)
    again = store.put_file(Bucket.ORIGINALS, src)
    assert first.created and not again.created
    assert _versions(settings, Bucket.ORIGINALS, first.key) == [first.version_id]


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("PUT", "http://h/b/k", True),  # PutObject
        ("POST", "http://h/b/k?uploadId=abc", True),  # CompleteMultipartUpload
        ("PUT", "http://h/b/k?partNumber=2&uploadId=abc", False),  # UploadPart
        ("POST", "http://h/b/k?uploads=", False),  # CreateMultipartUpload
        ("PUT", "http://h/b?versioning=", True),  # a bucket PUT never runs inside create_only()
        ("GET", "http://h/b/k", False),
        ("DELETE", "http://h/b/k?versionId=1", False),
    ],
)
def test_which_requests_carry_if_none_match(method: str, url: str, expected: bool) -> None:
    from storage.objects.conditional import is_object_write

    assert is_object_write(method, url) is expected


def test_concurrent_writers_of_the_same_content_store_one_copy(settings: Settings) -> None:
    """Like two intake processes storing the same bytes at the same instant, many times over."""
    stores = [MinioStore.from_settings(settings) for _ in range(2)]
    for s in stores:
        s.ensure_buckets()
    for round_ in range(12):
        data = os.urandom(50_000 + round_)
        barrier = threading.Barrier(2)
        results: list[StoredObject] = []

        def put(
            s: MinioStore,
            data: bytes = data,
            barrier: threading.Barrier = barrier,
            out: list[StoredObject] = results,
        ) -> None:
            barrier.wait()
            out.append(s.put_bytes(Bucket.ORIGINALS, data))

        threads = [threading.Thread(target=put, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        key = hashlib.sha256(data).hexdigest()
        assert sorted(r.created for r in results) == [False, True]
        assert len(_versions(settings, Bucket.ORIGINALS, key)) == 1
        with stores[0].open(Bucket.ORIGINALS, key) as reader:
            assert reader.read() == data


def test_stored_bytes_come_back_as_stored_even_with_a_content_encoding(
    store: MinioStore, settings: Settings, tmp_path: Path
) -> None:
    """An object some other tool stored gzip-encoded is hashed as stored, never decompressed."""
    import gzip

    packed = gzip.compress(b"%PDF-1.7 a scan " * 500)
    key = hashlib.sha256(packed).hexdigest()
    name = store.bucket_name(Bucket.ORIGINALS)
    raw_client(settings).put_object(
        name, key, io.BytesIO(packed), len(packed), metadata={"Content-Encoding": "gzip"}
    )
    assert store.get_file(Bucket.ORIGINALS, key, tmp_path / "out.gz").read_bytes() == packed
    with store.open(Bucket.ORIGINALS, key) as reader:
        assert reader.read() == packed
