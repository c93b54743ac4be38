"""The same behaviour, asserted on every backend (directory and MinIO-on-moto)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from config.errors import ExitCode
from config.settings import Settings
from storage.objects.base import Bucket, ObjectStore
from storage.objects.errors import (
    InvalidMetadataError,
    InvalidObjectKeyError,
    ObjectCorruptedError,
    ObjectLockedError,
    ObjectNotFoundError,
    PresignError,
    SourceChangedError,
    StorageError,
)
from storage.objects.factory import open_object_store
from storage.objects.keys import hash_file

MiB = 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_random(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


@contextmanager
def presign_base(store: ObjectStore) -> Iterator[None]:
    """Serve the directory store's links over HTTP; MinIO links go straight to the server."""
    from storage.objects.directory_store import DirectoryStore

    if isinstance(store, DirectoryStore):
        from tests.storage.presign_server import serve_presigned

        with serve_presigned(store) as base:
            store.public_url = base
            yield
    else:
        yield


def test_put_bytes_round_trip(store: ObjectStore, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    obj = store.put_bytes(Bucket.ORIGINALS, data, content_type="application/pdf")
    assert obj.created is True
    assert obj.key == obj.sha256 == sha(data)
    assert obj.size == len(data)
    with store.open(Bucket.ORIGINALS, obj.key) as reader:
        assert reader.read() == data
    dest = store.get_file(Bucket.ORIGINALS, obj.key, tmp_path / "out.pdf")
    assert sha(dest.read_bytes()) == obj.key
    st = store.stat(Bucket.ORIGINALS, obj.key)
    assert st is not None and st.size == len(data) and st.content_type == "application/pdf"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_put_file_round_trip(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "scan.tif"
    data = write_random(src, 1_234_567)
    obj = store.put_file(Bucket.DIGITISED, src, content_type="image/tiff")
    assert (obj.key, obj.size, obj.created) == (sha(data), len(data), True)
    out = store.get_file(Bucket.DIGITISED, obj.key, tmp_path / "copy.tif")
    assert out.read_bytes() == data
    # buckets are separate namespaces
    assert store.stat(Bucket.ORIGINALS, obj.key) is None


def test_idempotent_put_stores_once(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "a.pdf"
    data = write_random(src, 50_000)
    first = store.put_file(Bucket.ORIGINALS, src, metadata={"dossier": "D1"})
    second = store.put_file(Bucket.ORIGINALS, src, metadata={"dossier": "D2"})
    third = store.put_bytes(Bucket.ORIGINALS, data)
    assert first.created is True
    assert second.created is False and third.created is False
    assert first.key == second.key == third.key
    # the first writer's metadata stays: content-addressed objects are never rewritten
    assert second.metadata["dossier"] == "D1"
    assert list(store.list_keys(Bucket.ORIGINALS)) == [first.key]


def test_hashed_file_is_stored_under_the_hash_intake_computed(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "scan.pdf"
    data = write_random(src, 700_000)
    hashed = hash_file(src)
    assert (hashed.sha256, hashed.size) == (sha(data), len(data))
    first = store.put_file(Bucket.ORIGINALS, hashed, content_type="application/pdf")
    again = store.put_file(Bucket.ORIGINALS, src)
    assert (first.key, first.created, again.key, again.created) == (sha(data), True, sha(data), False)
    with store.open(Bucket.ORIGINALS, first.key) as reader:
        assert reader.read() == data


def test_file_changed_after_hashing_is_refused(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "scan.pdf"
    write_random(src, 200_000)
    hashed = hash_file(src)
    time.sleep(0.01)
    write_random(src, 200_000)  # the scanner rewrote it after intake hashed it
    with pytest.raises(SourceChangedError) as info:
        store.put_file(Bucket.ORIGINALS, hashed)
    assert info.value.exit_code == ExitCode.INPUT_FILE and "scan.pdf" in str(info.value)
    assert list(store.list_keys(Bucket.ORIGINALS)) == []


def test_metadata_round_trip_including_vietnamese(store: ObjectStore) -> None:
    meta = {
        "dossier": "000.00.10.H26-260105-0001",
        "Doc-Type": "birth_certificate",
        "owner-id": "027095001234",
        "full-name": "Nguyễn Thị Hồng Nhung",
        "note": "100% đúng; a=b & c",
    }
    obj = store.put_bytes(Bucket.DIGITISED, b"%PDF-1.7 metadata", metadata=meta)
    st = store.stat(Bucket.DIGITISED, obj.key)
    assert st is not None
    expected = {k.lower(): v for k, v in meta.items()} | {"sha256": obj.key}
    assert dict(st.metadata) == expected
    assert dict(obj.metadata) == expected


@pytest.mark.parametrize(
    "meta",
    [{"bad key": "x"}, {"ý": "x"}, {"k": 5}, {"big": "x" * 3000}],
)
def test_bad_metadata_refused_and_nothing_stored(store: ObjectStore, meta: dict[str, object]) -> None:
    with pytest.raises(InvalidMetadataError):
        store.put_bytes(Bucket.ORIGINALS, b"payload", metadata=meta)  # type: ignore[arg-type]
    assert list(store.list_keys(Bucket.ORIGINALS)) == []


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABC", "0" * 63, "g" * 64, ""])
def test_bad_keys_refused(store: ObjectStore, key: str, tmp_path: Path) -> None:
    for call in (
        lambda: store.stat(Bucket.ORIGINALS, key),
        lambda: store.open(Bucket.ORIGINALS, key),
        lambda: store.delete(Bucket.ORIGINALS, key),
        lambda: store.get_file(Bucket.ORIGINALS, key, tmp_path / "x"),
        lambda: store.presigned_get_url(Bucket.ORIGINALS, key, timedelta(minutes=1)),
    ):
        with pytest.raises(InvalidObjectKeyError):
            call()


def test_missing_object(store: ObjectStore, tmp_path: Path) -> None:
    key = sha(b"never stored")
    assert store.stat(Bucket.SIGNED, key) is None
    with pytest.raises(ObjectNotFoundError):
        store.open(Bucket.SIGNED, key)
    with pytest.raises(ObjectNotFoundError):
        store.get_file(Bucket.SIGNED, key, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    store.delete(Bucket.SIGNED, key)  # deleting what is not there is a no-op


def test_unwritable_destination(store: ObjectStore, tmp_path: Path) -> None:
    key = store.put_bytes(Bucket.ORIGINALS, b"payload").key
    blocker = tmp_path / "not-a-dir"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError) as info:
        store.get_file(Bucket.ORIGINALS, key, blocker / "out.bin")
    assert info.value.exit_code == ExitCode.INPUT_FILE


def test_unreadable_source_file(store: ObjectStore, tmp_path: Path) -> None:
    with pytest.raises(StorageError) as info:
        store.put_file(Bucket.ORIGINALS, tmp_path / "missing.pdf")
    assert "missing.pdf" in str(info.value)


def test_large_multipart_upload(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    store = _store_with_part_size(settings, 5 * MiB)
    src = tmp_path / "big.tif"
    data = write_random(src, 20 * MiB)
    obj = store.put_file(Bucket.ORIGINALS, src, metadata={"dossier": "BIG"})
    assert obj.size == 20 * MiB and obj.key == sha(data)
    out = store.get_file(Bucket.ORIGINALS, obj.key, tmp_path / "big.out")
    assert sha(out.read_bytes()) == obj.key
    if settings.storage.backend == "minio":
        # A multipart upload's ETag ends with the number of parts.
        from tests.storage.raw_minio import raw_client

        etag = raw_client(settings).stat_object(f"{settings.storage.bucket_prefix}-originals", obj.key).etag
        assert etag is not None and etag.endswith("-4")


def _store_with_part_size(settings: Settings, part_size: int) -> ObjectStore:
    if settings.storage.backend == "minio":
        from storage.objects.minio_store import MinioStore

        return MinioStore.from_settings(settings, part_size=part_size)
    return open_object_store(settings)


def test_presigned_url_fetch(store: ObjectStore) -> None:
    data = os.urandom(10_000)
    obj = store.put_bytes(Bucket.DIGITISED, data, content_type="application/pdf")
    with presign_base(store):
        url = store.presigned_get_url(Bucket.DIGITISED, obj.key, timedelta(minutes=5))
        response = httpx.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == data


@pytest.mark.parametrize("expires", [timedelta(0), timedelta(seconds=-5), timedelta(days=8)])
def test_presign_expiry_out_of_range(store: ObjectStore, expires: timedelta) -> None:
    key = store.put_bytes(Bucket.DIGITISED, b"x").key
    with pytest.raises(PresignError):
        store.presigned_get_url(Bucket.DIGITISED, key, expires)


def test_presigned_url_expires(store: ObjectStore, backend: str) -> None:
    obj = store.put_bytes(Bucket.DIGITISED, b"short-lived")
    url = store.presigned_get_url(Bucket.DIGITISED, obj.key, timedelta(seconds=1))
    query = parse_qs(urlsplit(url).query)
    if backend == "minio":
        assert query["X-Amz-Expires"] == ["1"]
        pytest.skip("moto does not enforce presigned-URL expiry; MinIO does (checked: URL carries it)")
    with presign_base(store):
        # 3 s rather than 1 s: a loaded CI machine must still fetch once before the link expires
        issued = time.monotonic()
        url = store.presigned_get_url(Bucket.DIGITISED, obj.key, timedelta(seconds=3))
        assert httpx.get(url, timeout=10).status_code == 200
        time.sleep(max(0.0, issued + 4.1 - time.monotonic()))
        assert httpx.get(url, timeout=10).status_code == 403


def test_presigned_url_forgery(store: ObjectStore, backend: str) -> None:
    if backend == "minio":
        pytest.skip("moto does not verify presigned-URL signatures; MinIO does")
    a = store.put_bytes(Bucket.DIGITISED, b"granted")
    b = store.put_bytes(Bucket.DIGITISED, b"not granted")
    with presign_base(store):
        url = store.presigned_get_url(Bucket.DIGITISED, a.key, timedelta(minutes=5))
        forged = [
            url.replace(a.key, b.key),  # another object
            url.replace("/digitised/", "/signed/"),  # another bucket
            url.replace("expires=", "expires=9"),  # a longer life
            url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB"),  # a bad signature
            url.split("?")[0],  # no signature at all
        ]
        for bad in forged:
            assert httpx.get(bad, timeout=10).status_code == 403, bad
        assert httpx.get(url, timeout=10).content == b"granted"


def test_retention_blocks_delete_and_overwrite(store: ObjectStore) -> None:
    data = b"%PDF signed result " + os.urandom(1000)
    obj = store.put_bytes(Bucket.SIGNED, data, metadata={"dossier": "S1"}, retain=True)
    with pytest.raises(ObjectLockedError):
        store.delete(Bucket.SIGNED, obj.key)
    again = store.put_bytes(Bucket.SIGNED, data, metadata={"dossier": "OTHER"}, retain=True)
    assert again.created is False
    st = store.stat(Bucket.SIGNED, obj.key)
    assert st is not None and st.metadata["dossier"] == "S1"
    with store.open(Bucket.SIGNED, obj.key) as reader:
        assert reader.read() == data
    assert list(store.list_keys(Bucket.SIGNED)) == [obj.key]


def test_retention_added_to_an_existing_object(store: ObjectStore) -> None:
    obj = store.put_bytes(Bucket.SIGNED, b"first stored without retention")
    store.put_bytes(Bucket.SIGNED, b"first stored without retention", retain=True)
    with pytest.raises(ObjectLockedError):
        store.delete(Bucket.SIGNED, obj.key)
    assert store.stat(Bucket.SIGNED, obj.key) is not None


@pytest.mark.parametrize("bucket", [Bucket.ORIGINALS, Bucket.DIGITISED])
def test_retention_only_for_signed_results(store: ObjectStore, bucket: Bucket, tmp_path: Path) -> None:
    src = tmp_path / "x.pdf"
    src.write_bytes(b"not a signed result")
    with pytest.raises(StorageError) as info:
        store.put_file(bucket, src, retain=True)
    assert info.value.exit_code == ExitCode.BAD_ARGS
    with pytest.raises(StorageError):
        store.put_bytes(bucket, b"not a signed result", retain=True)
    assert list(store.list_keys(bucket)) == []


def test_retained_until(store: ObjectStore) -> None:
    retained = store.put_bytes(Bucket.SIGNED, b"retained", retain=True)
    plain = store.put_bytes(Bucket.SIGNED, b"plain")
    until = store.retained_until(Bucket.SIGNED, retained.key)
    assert until is not None and until > datetime.now(UTC) + timedelta(days=3000)
    assert store.retained_until(Bucket.SIGNED, plain.key) is None
    assert store.retained_until(Bucket.SIGNED, sha(b"absent")) is None
    # storing the same signed result again neither shortens nor extends its retention
    time.sleep(1.1)
    store.put_bytes(Bucket.SIGNED, b"retained", retain=True)
    assert store.retained_until(Bucket.SIGNED, retained.key) == until


def test_unretained_delete(store: ObjectStore) -> None:
    keep = store.put_bytes(Bucket.ORIGINALS, b"keep")
    gone = store.put_bytes(Bucket.ORIGINALS, b"gone")
    store.delete(Bucket.ORIGINALS, gone.key)
    assert store.stat(Bucket.ORIGINALS, gone.key) is None
    assert list(store.list_keys(Bucket.ORIGINALS)) == [keep.key]
    # once deleted, the same bytes can be stored again
    assert store.put_bytes(Bucket.ORIGINALS, b"gone").created is True


def test_listing_and_prefix(store: ObjectStore) -> None:
    keys = sorted(store.put_bytes(Bucket.DIGITISED, f"doc {i}".encode()).key for i in range(12))
    assert list(store.list_keys(Bucket.DIGITISED)) == keys
    prefix = keys[3][:1]
    assert list(store.list_keys(Bucket.DIGITISED, prefix)) == [k for k in keys if k.startswith(prefix)]
    assert list(store.list_keys(Bucket.DIGITISED, keys[5][:3])) == [
        k for k in keys if k.startswith(keys[5][:3])
    ]
    assert list(store.list_keys(Bucket.DIGITISED, keys[7])) == [keys[7]]
    assert list(store.list_keys(Bucket.ORIGINALS)) == []
    with pytest.raises(InvalidObjectKeyError):
        list(store.list_keys(Bucket.DIGITISED, "../"))


def test_corruption_detected_on_read(
    store: ObjectStore, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    data = b"genuine bytes " * 1000
    obj = store.put_bytes(Bucket.ORIGINALS, data)
    _tamper(store, obj.key, b"tampered bytes")
    with pytest.raises(ObjectCorruptedError), store.open(Bucket.ORIGINALS, obj.key) as reader:
        reader.read()
    with pytest.raises(ObjectCorruptedError):
        store.get_file(Bucket.ORIGINALS, obj.key, tmp_path / "bad.out")
    assert not (tmp_path / "bad.out").exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_corruption_of_a_large_object_detected_on_download(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """Large downloads hash in a second thread: the check must hold there too."""
    store = _store_with_part_size(make_settings(), 5 * MiB)
    obj = store.put_bytes(Bucket.ORIGINALS, os.urandom(6 * MiB))
    good = store.get_file(Bucket.ORIGINALS, obj.key, tmp_path / "good.out")
    assert sha(good.read_bytes()) == obj.key
    _tamper(store, obj.key, os.urandom(6 * MiB))
    with pytest.raises(ObjectCorruptedError):
        store.get_file(Bucket.ORIGINALS, obj.key, tmp_path / "bad.out")
    assert not (tmp_path / "bad.out").exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def _tamper(store: ObjectStore, key: str, replacement: bytes) -> None:
    """Change stored bytes behind the store's back (disk rot, or someone with server access)."""
    from storage.objects.directory_store import DirectoryStore

    if isinstance(store, DirectoryStore):
        path = store.root / "originals" / key[:2] / key
        path.chmod(0o644)
        path.write_bytes(replacement)
        return
    from storage.objects.minio_store import MinioStore
    from tests.storage.raw_minio import raw_put

    assert isinstance(store, MinioStore)
    raw_put(store, Bucket.ORIGINALS, key, replacement)
