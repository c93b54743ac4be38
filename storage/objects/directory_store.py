"""The embedded default: objects as files under ``data_dir/objects/<bucket>/<ab>/<sha256>``.

Each object has a sidecar ``<sha256>.json`` (content type, metadata, retention). The sidecar is
written first and the data file renamed into place last, so the data file's presence is the
commit: a crash leaves either a complete object or nothing visible. Commits take a per-bucket
``flock``, so concurrent processes storing the same bytes agree on who created them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from config.settings import Settings
from storage.objects import presign
from storage.objects.atomic import TMP_PREFIX, fsync_dir, replace, temp_file, write_bytes_atomic, write_chunks
from storage.objects.base import Bucket, StoredObject
from storage.objects.errors import (
    ObjectCorruptedError,
    ObjectLockedError,
    ObjectNotFoundError,
    SourceChangedError,
    StorageError,
    local_file_error,
    short_key,
)
from storage.objects.keys import CHUNK, HashedFile, validate_key, validate_prefix, verifying_reader
from storage.objects.metadata import normalise
from storage.objects.retention import check_retain

log = logging.getLogger(__name__)

SIDECAR = ".json"
TMP_DIR = ".tmp"
LOCK_FILE = ".lock"
SECRET_FILE = ".presign-secret"
STALE_TEMP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class _Sidecar:
    size: int
    content_type: str
    metadata: dict[str, str]
    retain_until: datetime | None
    stored_at: str

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "size": self.size,
                "content_type": self.content_type,
                "metadata": self.metadata,
                "retain_until": self.retain_until.isoformat() if self.retain_until else None,
                "stored_at": self.stored_at,
            },
            ensure_ascii=False,
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> _Sidecar:
        raw: dict[str, Any] = json.loads(data)
        until = raw.get("retain_until")
        return cls(
            size=int(raw["size"]),
            content_type=str(raw["content_type"]),
            metadata={str(k): str(v) for k, v in raw["metadata"].items()},
            retain_until=datetime.fromisoformat(until) if until else None,
            stored_at=str(raw.get("stored_at", "")),
        )


class DirectoryStore:
    def __init__(
        self,
        root: Path,
        *,
        retention_days: int = 3650,
        public_url: str = "http://127.0.0.1:8080",
        presign_secret: bytes | None = None,
    ) -> None:
        self.root = Path(root)
        self.retention = timedelta(days=retention_days)
        self.public_url = public_url
        self._secret = presign_secret
        self._ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> DirectoryStore:
        return cls(
            settings.data_dir / "objects",
            retention_days=settings.storage.retention_days,
            public_url=settings.api.base_url,
        )

    # -- layout -----------------------------------------------------------------------------

    def _bucket_dir(self, bucket: Bucket) -> Path:
        return self.root / Bucket(bucket).value

    def _paths(self, bucket: Bucket, key: str) -> tuple[Path, Path]:
        validate_key(key)
        shard = self._bucket_dir(bucket) / key[:2]
        return shard / key, shard / (key + SIDECAR)

    @contextlib.contextmanager
    def _locked(self, bucket: Bucket) -> Iterator[None]:
        self.ensure_buckets()
        fd = os.open(self._bucket_dir(bucket) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read_sidecar(self, bucket: Bucket, key: str) -> _Sidecar | None:
        data_path, side_path = self._paths(bucket, key)
        if not data_path.exists():
            return None
        try:
            return _Sidecar.from_json(side_path.read_bytes())
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise ObjectCorruptedError(
                f"Siêu dữ liệu hỏng cho {bucket}/{short_key(key)} (damaged metadata sidecar)"
            ) from exc

    def _stored(self, bucket: Bucket, key: str, side: _Sidecar, created: bool) -> StoredObject:
        return StoredObject(
            bucket=Bucket(bucket),
            key=key,
            sha256=key,
            size=side.size,
            content_type=side.content_type,
            metadata=dict(side.metadata),
            version_id=None,
            created=created,
        )

    # -- interface --------------------------------------------------------------------------

    def ensure_buckets(self) -> None:
        if self._ready:
            return
        for bucket in Bucket:
            tmp_dir = self._bucket_dir(bucket) / TMP_DIR
            tmp_dir.mkdir(parents=True, exist_ok=True)
            self._sweep(tmp_dir)
        self._ready = True

    @staticmethod
    def _sweep(tmp_dir: Path) -> None:
        """Remove temp files left by killed writers (old enough that no live writer owns them)."""
        cutoff = time.time() - STALE_TEMP_SECONDS
        for entry in os.scandir(tmp_dir):
            with contextlib.suppress(OSError):
                if entry.name.startswith(TMP_PREFIX) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    log.info("removed a stale temp file in %s", tmp_dir)

    def put_file(
        self,
        bucket: Bucket,
        source: Path | HashedFile,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retain: bool = False,
    ) -> StoredObject:
        """Copy while hashing; a ``HashedFile`` whose bytes no longer match its hash is refused."""
        expected = source.sha256 if isinstance(source, HashedFile) else None
        path = source.path if isinstance(source, HashedFile) else Path(source)
        try:
            src = open(path, "rb")  # noqa: SIM115 - closed below; iter() needs the handle
        except OSError as exc:
            raise local_file_error(path, exc, reading=True) from exc
        with src:
            return self._put_chunks(
                bucket,
                iter(lambda: src.read(CHUNK), b""),
                content_type,
                metadata,
                retain,
                expected=expected,
                source_name=path.name,
            )

    def put_bytes(
        self,
        bucket: Bucket,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retain: bool = False,
    ) -> StoredObject:
        return self._put_chunks(bucket, [bytes(data)], content_type, metadata, retain)

    def _put_chunks(
        self,
        bucket: Bucket,
        chunks: Any,
        content_type: str,
        metadata: Mapping[str, str] | None,
        retain: bool,
        *,
        expected: str | None = None,
        source_name: str = "",
    ) -> StoredObject:
        try:
            return self._commit(bucket, chunks, content_type, metadata, retain, expected, source_name)
        except OSError as exc:
            raise StorageError(
                f"Không ghi được vào kho lưu trữ (cannot write to the object store): "
                f"{exc.strerror or type(exc).__name__}"
            ) from exc

    def _commit(
        self,
        bucket: Bucket,
        chunks: Any,
        content_type: str,
        metadata: Mapping[str, str] | None,
        retain: bool,
        expected: str | None,
        source_name: str,
    ) -> StoredObject:
        bucket = Bucket(bucket)
        check_retain(bucket, retain)
        normalise(metadata, "0" * 64)  # validate before doing any work
        self.ensure_buckets()
        # Copy while hashing (one pass over the source), then commit under the bucket lock.
        with temp_file(self._bucket_dir(bucket) / TMP_DIR) as (fd, tmp):
            key, size = write_chunks(fd, chunks)
            if expected is not None and key != expected:
                raise SourceChangedError(source_name)
            os.fchmod(fd, 0o444)  # content-addressed bytes never change
            meta = normalise(metadata, key)
            data_path, side_path = self._paths(bucket, key)
            with self._locked(bucket):
                existing = self._read_sidecar(bucket, key)
                if existing is not None:
                    if retain and not self._retained(existing):
                        existing = self._apply_retention(bucket, key, existing)
                    log.debug("object %s/%s already stored", bucket, short_key(key))
                    return self._stored(bucket, key, existing, created=False)
                side = _Sidecar(
                    size=size,
                    content_type=content_type,
                    metadata=meta,
                    retain_until=self._until() if retain else None,
                    stored_at=datetime.now(UTC).isoformat(),
                )
                if not data_path.parent.exists():
                    data_path.parent.mkdir(exist_ok=True)
                    fsync_dir(data_path.parent.parent)
                # Both renames land in the shard directory, so one directory fsync (in
                # ``replace``) makes them durable together; until it returns, a crash leaves at
                # worst a sidecar or a data file alone, which reads as "not stored" and is
                # repaired by the next put.
                with temp_file(self._bucket_dir(bucket) / TMP_DIR) as (side_fd, side_tmp):
                    write_chunks(side_fd, [side.to_json()])
                    os.replace(side_tmp, side_path)
                replace(tmp, data_path)
        log.debug("stored %s/%s (%d bytes)", bucket, short_key(key), size)
        return self._stored(bucket, key, side, created=True)

    def _until(self) -> datetime:
        return datetime.now(UTC) + self.retention

    @staticmethod
    def _retained(side: _Sidecar) -> bool:
        return side.retain_until is not None and side.retain_until > datetime.now(UTC)

    def _apply_retention(self, bucket: Bucket, key: str, side: _Sidecar) -> _Sidecar:
        """Retention on an object that has none in force (compliance: never shortened)."""
        until = self._until()
        updated = _Sidecar(side.size, side.content_type, side.metadata, until, side.stored_at)
        write_bytes_atomic(self._paths(bucket, key)[1], updated.to_json())
        return updated

    def stat(self, bucket: Bucket, key: str) -> StoredObject | None:
        side = self._read_sidecar(bucket, key)
        return None if side is None else self._stored(bucket, key, side, created=False)

    def retained_until(self, bucket: Bucket, key: str) -> datetime | None:
        """When the object's retention ends (None: not retained or not stored)."""
        side = self._read_sidecar(bucket, key)
        return side.retain_until if side else None

    def open(self, bucket: Bucket, key: str) -> BinaryIO:
        data_path, _ = self._paths(bucket, key)
        try:
            raw = open(data_path, "rb")  # noqa: SIM115 - the caller closes the reader
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(
                f"Không tìm thấy đối tượng {bucket}/{short_key(key)} (object not found)"
            ) from exc
        return verifying_reader(raw, key)

    def get_file(self, bucket: Bucket, key: str, dest: Path, *, durable: bool = False) -> Path:
        dest = Path(dest)
        with self.open(bucket, key) as reader:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                with temp_file(dest.parent) as (fd, tmp):
                    write_chunks(fd, iter(lambda: reader.read(CHUNK), b""), durable=durable)
                    replace(tmp, dest, durable=durable)
            except OSError as exc:
                raise local_file_error(dest, exc, reading=False) from exc
        return dest

    def delete(self, bucket: Bucket, key: str) -> None:
        data_path, side_path = self._paths(bucket, key)
        with self._locked(bucket):
            side = self._read_sidecar(bucket, key)
            if side is not None and self._retained(side):
                raise ObjectLockedError(
                    f"Đối tượng {bucket}/{short_key(key)} đang được lưu giữ đến "
                    f"{side.retain_until:%Y-%m-%d} (under retention, cannot delete)"
                )
            with contextlib.suppress(FileNotFoundError):
                data_path.unlink()  # the data file going is the commit of the delete
            with contextlib.suppress(FileNotFoundError):
                side_path.unlink()
            if data_path.parent.exists():
                fsync_dir(data_path.parent)

    def list_keys(self, bucket: Bucket, prefix: str = "") -> Iterator[str]:
        validate_prefix(prefix)
        root = self._bucket_dir(bucket)
        if not root.exists():
            return
        shards = sorted(p.name for p in root.iterdir() if len(p.name) == 2 and p.name.startswith(prefix[:2]))
        for shard in shards:
            with contextlib.suppress(FileNotFoundError):
                names = os.listdir(root / shard)
                present = set(names)
                for name in sorted(names):
                    # a data file counts only with its sidecar, as in ``stat``
                    if len(name) == 64 and name.startswith(prefix) and name + SIDECAR in present:
                        yield name

    def presigned_get_url(self, bucket: Bucket, key: str, expires: timedelta) -> str:
        validate_key(key)
        return presign.make_url(self._presign_secret(), self.public_url, Bucket(bucket), key, expires)

    def verify_presigned(self, url: str) -> tuple[Bucket, str]:
        """What a presigned URL grants; ``PresignError`` when forged, expired or malformed."""
        return presign.verify_url(self._presign_secret(), url)

    def _presign_secret(self) -> bytes:
        if self._secret is None:
            self._secret = presign.load_or_create_secret(self.root / SECRET_FILE)
        return self._secret
