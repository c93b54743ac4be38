"""MinIO (or any S3 server) through the ``minio`` SDK.

One bucket per kind, ``{prefix}-originals|digitised|signed``, all versioned; the signed bucket is
created with object lock, and retained objects carry a COMPLIANCE retention, so the server itself
refuses to delete them. Servers without object lock are detected and logged; the store then
works without the server-side guarantee.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ENABLED
from minio.error import MinioException, S3Error
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig

from config.errors import ExitCode
from config.settings import Settings
from storage.objects import presign
from storage.objects.atomic import replace, temp_file, write_chunks
from storage.objects.base import Bucket, StoredObject
from storage.objects.conditional import PRECONDITION_FAILED, ConditionalPool
from storage.objects.errors import (
    ObjectCorruptedError,
    ObjectLockedError,
    ObjectNotFoundError,
    SourceChangedError,
    StorageError,
    StorageUnavailableError,
    local_file_error,
    short_key,
)
from storage.objects.keys import (
    CHUNK,
    HashedFile,
    hash_file,
    is_key,
    validate_key,
    validate_prefix,
    verifying_reader,
)
from storage.objects.metadata import from_s3, normalise, to_s3
from storage.objects.retention import check_retain
from storage.objects.retry import is_transient, with_retries

log = logging.getLogger(__name__)

T = TypeVar("T")

MiB = 1024 * 1024
DEFAULT_PART_SIZE = 8 * MiB  # 3 parts in flight: ~40 MB of memory per upload, whatever the file size
NOT_FOUND = frozenset({"NoSuchKey", "NoSuchVersion", "ResourceNotFound"})
LOCKED = frozenset({"AccessDenied", "ObjectLocked", "InvalidRequest"})
ALREADY = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def make_http_client(retry_seconds: float, secure: bool) -> ConditionalPool:
    """No retries inside urllib3: ``with_retries`` owns the schedule and the time bound."""
    return ConditionalPool(
        timeout=urllib3.Timeout(connect=max(0.5, min(5.0, retry_seconds)), read=300.0),
        maxsize=10,
        cert_reqs="CERT_REQUIRED" if secure else "CERT_NONE",
        ca_certs=certifi.where() if secure else None,
        retries=False,
    )


class _ResponseReader(io.RawIOBase):
    """A GET response as a raw stream that gives its connection back to the pool on close."""

    def __init__(self, response: Any) -> None:
        super().__init__()
        self._response = response

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            # the stored bytes as they are: a Content-Encoding must not change what is hashed
            return bytes(self._response.read(None if size < 0 else size, decode_content=False))
        except Exception as exc:
            if is_transient(exc):
                raise StorageUnavailableError(
                    f"Mất kết nối khi đọc đối tượng (connection lost while reading: {type(exc).__name__})"
                ) from exc
            raise

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._response.close()
                self._response.release_conn()
            finally:
                super().close()


class MinioStore:
    def __init__(
        self,
        client: Minio,
        *,
        bucket_prefix: str = "sohoa",
        retention_days: int = 3650,
        retry_seconds: float = 30.0,
        part_size: int = DEFAULT_PART_SIZE,
        presign_client: Minio | None = None,
        http: ConditionalPool | None = None,
    ) -> None:
        self.client = client
        # The pool ``client`` sends through, when it is one that can make writes create-only.
        self._http = http
        # Presigned links name the host downstream systems reach, which may differ from the
        # in-network endpoint the store talks to; presigning is local (no request) with a region.
        self.presign_client = presign_client or client
        self.prefix = bucket_prefix
        self.retention = timedelta(days=retention_days)
        self.retry_seconds = retry_seconds
        self.part_size = part_size
        self._ready = False
        self._ready_lock = threading.Lock()
        self._locked_buckets: set[Bucket] = set()
        self._create_only = False  # learnt from the server in ensure_buckets
        for bucket in Bucket:
            if not _BUCKET_NAME.fullmatch(self.bucket_name(bucket)):
                raise StorageError(
                    f"Tên bucket không hợp lệ: {self.bucket_name(bucket)} (invalid bucket prefix)",
                    exit_code=ExitCode.BAD_ARGS,
                )

    @classmethod
    def from_settings(cls, settings: Settings, *, part_size: int = DEFAULT_PART_SIZE) -> MinioStore:
        s = settings.storage
        http = make_http_client(s.retry_seconds, s.secure)
        client = Minio(
            s.endpoint,
            access_key=s.access_key,
            secret_key=s.secret_key.get_secret_value(),
            secure=s.secure,
            region=s.region,  # a known region spares a location request per bucket
            http_client=http,
        )
        presign_client = None
        if s.public_endpoint:
            presign_client = Minio(
                s.public_endpoint,
                access_key=s.access_key,
                secret_key=s.secret_key.get_secret_value(),
                secure=s.secure,
                region=s.region,
            )
        return cls(
            client,
            presign_client=presign_client,
            bucket_prefix=s.bucket_prefix,
            retention_days=s.retention_days,
            retry_seconds=s.retry_seconds,
            part_size=part_size,
            http=http,
        )

    def bucket_name(self, bucket: Bucket) -> str:
        return f"{self.prefix}-{Bucket(bucket).value}"

    @property
    def object_lock_supported(self) -> bool:
        self.ensure_buckets()
        return Bucket.SIGNED in self._locked_buckets

    @property
    def create_only_writes(self) -> bool:
        """Whether uploads are create-only on the server (else: asked first with a HEAD)."""
        self.ensure_buckets()
        return self._create_only

    def _retry(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return with_retries(what, fn, self.retry_seconds)
        except MinioException as exc:
            raise self._failure(what, exc) from exc

    @staticmethod
    def _failure(what: str, exc: MinioException) -> StorageError:
        """A refusal from the server, as a store error (the S3 code, never the request details)."""
        if isinstance(exc, S3Error):
            if exc.code in NOT_FOUND:
                return ObjectNotFoundError(f"Không tìm thấy đối tượng (object not found: {what})")
            return StorageError(f"Máy chủ lưu trữ từ chối yêu cầu ({what}: {exc.code})")
        return StorageError(f"Máy chủ lưu trữ trả lời không hợp lệ ({what}: {type(exc).__name__})")

    # -- buckets ----------------------------------------------------------------------------

    def ensure_buckets(self) -> None:
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            for bucket in Bucket:
                self._retry(f"create bucket {bucket.value}", partial(self._ensure_bucket, bucket))
            self._create_only = self._http is not None and self._retry(
                "probe conditional writes", self._probe_create_only
            )
            if self._http is not None and not self._create_only:
                log.warning(
                    "the object server ignores If-None-Match; each upload is checked with a HEAD first"
                )
            self._ready = True

    def _probe_create_only(self) -> bool:
        """Write a probe object twice, create-only: a server that honours the header refuses the second.

        The probe's name is not a content key, so listings never show it, and it is removed again.
        """
        assert self._http is not None
        name = self.bucket_name(Bucket.ORIGINALS)
        probe = f"probe/create-only-{uuid.uuid4().hex}"
        refused = False
        try:
            for _ in range(2):
                with self._http.create_only():
                    try:
                        self.client.put_object(name, probe, io.BytesIO(b"probe"), 5)
                    except S3Error as exc:
                        if exc.code != PRECONDITION_FAILED:
                            raise
                        refused = True
        finally:
            for obj in self.client.list_objects(name, prefix=probe, include_version=True):
                self.client.remove_object(name, probe, version_id=obj.version_id)
        return refused

    def _ensure_bucket(self, bucket: Bucket) -> None:
        name = self.bucket_name(bucket)
        want_lock = bucket is Bucket.SIGNED
        if not self.client.bucket_exists(name):
            try:
                self.client.make_bucket(name, object_lock=want_lock)
            except S3Error as exc:
                if exc.code in ALREADY:
                    pass
                elif want_lock and not is_transient(exc):
                    log.warning(
                        "object lock refused by the server (%s); creating %s without it", exc.code, name
                    )
                    self.client.make_bucket(name)
                else:
                    raise
        self.client.set_bucket_versioning(name, VersioningConfig(ENABLED))
        if want_lock:
            try:
                self.client.get_object_lock_config(name)
                self._locked_buckets.add(bucket)
            except S3Error as exc:
                if is_transient(exc):
                    raise
                log.warning(
                    "Kho lưu trữ không hỗ trợ khóa đối tượng cho %s (object lock unavailable: %s); "
                    "signed results are stored without server-side retention",
                    name,
                    exc.code,
                )

    # -- writing ----------------------------------------------------------------------------

    def put_file(
        self,
        bucket: Bucket,
        source: Path | HashedFile,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retain: bool = False,
    ) -> StoredObject:
        """Store a file; a ``HashedFile`` saves hashing it again (intake hashed it already)."""
        bucket = Bucket(bucket)
        check_retain(bucket, retain)
        normalise(metadata, "0" * 64)  # validate before any I/O
        if isinstance(source, HashedFile):
            hashed = source
            if not hashed.unchanged():
                raise SourceChangedError(hashed.path.name)
        else:
            path = Path(source)
            try:
                if path.stat().st_size <= self.part_size:
                    # One read: the bytes hashed are the bytes sent, whatever happens to the file.
                    return self.put_bytes(
                        bucket, path.read_bytes(), content_type=content_type, metadata=metadata, retain=retain
                    )
                hashed = hash_file(path)
            except OSError as exc:
                raise local_file_error(path, exc, reading=True) from exc
        key, size = hashed.sha256, hashed.size
        meta = normalise(metadata, key)

        def open_file() -> BinaryIO:
            return open(hashed.path, "rb")  # the uploader closes it

        return self._put(
            bucket,
            key,
            size,
            content_type,
            meta,
            retain,
            open_file,
            lambda: not hashed.unchanged(),
            hashed.path.name,
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
        bucket = Bucket(bucket)
        check_retain(bucket, retain)
        data = bytes(data)

        key = hashlib.sha256(data).hexdigest()
        meta = normalise(metadata, key)

        return self._put(
            bucket, key, len(data), content_type, meta, retain, lambda: io.BytesIO(data), lambda: False, ""
        )

    def _put(
        self,
        bucket: Bucket,
        key: str,
        size: int,
        content_type: str,
        meta: dict[str, str],
        retain: bool,
        open_source: Callable[[], BinaryIO],
        source_changed: Callable[[], bool],
        source_name: str,
    ) -> StoredObject:
        """Store once: a create-only upload where the server allows it, else a HEAD first."""
        self.ensure_buckets()

        def upload() -> str | None:
            with open_source() as stream:  # reopened by each retry: every attempt starts at byte 0
                result = self.client.put_object(
                    self.bucket_name(bucket),
                    key,
                    stream,
                    size,
                    content_type=content_type,
                    metadata=to_s3(meta),  # type: ignore[arg-type]
                    part_size=self.part_size if size > self.part_size else 0,
                )
            return result.version_id

        for _ in range(3):  # the object may vanish between a refused write and the HEAD
            existing = None if self._create_only else self.stat(bucket, key)
            if existing is None:
                written, version_id = self._retry(
                    f"upload {bucket.value}/{short_key(key)}", partial(self._write_once, upload)
                )
                if written:
                    break
                existing = self.stat(bucket, key)
            if existing is not None:
                if retain:
                    self._retain(bucket, key, existing.version_id)
                log.debug("object %s/%s already stored", bucket, short_key(key))
                return existing
        else:
            raise StorageError(f"Không lưu được {bucket}/{short_key(key)} (object kept vanishing)")
        if source_changed():
            # The file changed while it was read: what was uploaded may not hash to its key.
            self._retry(
                "undo upload", lambda: self.client.remove_object(self.bucket_name(bucket), key, version_id)
            )
            raise SourceChangedError(source_name)
        # Retention only after the upload is known good: a compliance lock cannot be undone.
        if retain:
            self._retain(bucket, key, version_id)
        log.debug("stored %s/%s (%d bytes)", bucket, short_key(key), size)
        return StoredObject(
            bucket=bucket,
            key=key,
            sha256=key,
            size=size,
            content_type=content_type,
            metadata=meta,
            version_id=version_id,
            created=True,
        )

    def _write_once(self, upload: Callable[[], str | None]) -> tuple[bool, str | None]:
        """(True, version) when this call stored the object; (False, None) when it existed."""
        if not self._create_only:
            return True, upload()
        assert self._http is not None  # create-only writes were learnt through it
        try:
            with self._http.create_only():
                return True, upload()
        except S3Error as exc:
            if exc.code == PRECONDITION_FAILED:
                return False, None
            raise

    def _retain(self, bucket: Bucket, key: str, version_id: str | None) -> None:
        """Put a COMPLIANCE retention on an object that has none in force."""
        self.ensure_buckets()
        if bucket not in self._locked_buckets:
            log.warning(
                "retention requested for %s/%s but the bucket has no object lock",
                bucket,
                short_key(key),
            )
            return
        name = self.bucket_name(bucket)
        until = datetime.now(UTC) + self.retention
        current = self._retention_of(bucket, key, version_id)
        if current is not None and current > datetime.now(UTC):
            return  # already retained: storing the same bytes again does not extend it
        self._retry(
            "set retention",
            lambda: self.client.set_object_retention(
                name, key, Retention(COMPLIANCE, until), version_id=version_id
            ),
        )

    def _retention_of(self, bucket: Bucket, key: str, version_id: str | None = None) -> datetime | None:
        """Read retention from HEAD's object-lock headers (portable: moto lacks GetObjectRetention)."""
        name = self.bucket_name(bucket)

        def head() -> Any:
            try:
                return self.client.stat_object(name, key, version_id=version_id)
            except S3Error as exc:
                if exc.code in NOT_FOUND:
                    return None
                raise

        obj = self._retry("read retention", head)
        raw = (obj.metadata or {}).get("x-amz-object-lock-retain-until-date") if obj is not None else None
        if not raw:
            return None
        return _aware(datetime.fromisoformat(str(raw)))

    def retained_until(self, bucket: Bucket, key: str) -> datetime | None:
        """When the latest version's retention ends (None: not retained or not stored)."""
        validate_key(key)
        self.ensure_buckets()
        if Bucket(bucket) not in self._locked_buckets:
            return None
        return self._retention_of(Bucket(bucket), key)

    # -- reading ----------------------------------------------------------------------------

    def stat(self, bucket: Bucket, key: str) -> StoredObject | None:
        validate_key(key)
        bucket = Bucket(bucket)
        self.ensure_buckets()
        name = self.bucket_name(bucket)

        def head() -> Any:
            try:
                return self.client.stat_object(name, key)
            except S3Error as exc:
                if exc.code in NOT_FOUND:
                    return None
                raise

        obj = self._retry(f"stat {bucket.value}/{short_key(key)}", head)
        if obj is None:
            return None
        return StoredObject(
            bucket=bucket,
            key=key,
            sha256=key,
            size=int(obj.size or 0),
            content_type=obj.content_type or "application/octet-stream",
            metadata=from_s3(obj.metadata or {}),
            version_id=obj.version_id,
            created=False,
        )

    def _get(self, bucket: Bucket, key: str) -> Any:
        validate_key(key)
        bucket = Bucket(bucket)
        self.ensure_buckets()
        name = self.bucket_name(bucket)
        try:
            return self._retry(
                f"read {bucket.value}/{short_key(key)}", lambda: self.client.get_object(name, key)
            )
        except ObjectNotFoundError as exc:
            raise ObjectNotFoundError(
                f"Không tìm thấy đối tượng {bucket}/{short_key(key)} (object not found)"
            ) from exc

    def open(self, bucket: Bucket, key: str) -> BinaryIO:
        return verifying_reader(_ResponseReader(self._get(bucket, key)), key)  # type: ignore[arg-type]

    def get_file(self, bucket: Bucket, key: str, dest: Path, *, durable: bool = False) -> Path:
        validate_key(key)
        bucket = Bucket(bucket)
        self.ensure_buckets()
        name = self.bucket_name(bucket)
        dest = Path(dest)

        def download() -> Path:
            dest.parent.mkdir(parents=True, exist_ok=True)
            response = self.client.get_object(name, key)
            try:
                with temp_file(dest.parent) as (fd, tmp):
                    large = int(response.headers.get("content-length") or 0) > self.part_size
                    digest, _ = write_chunks(
                        fd,
                        response.stream(4 * CHUNK if large else CHUNK, decode_content=False),
                        durable=durable,
                        hash_aside=large,
                    )
                    if digest != key:
                        raise ObjectCorruptedError(
                            f"Dữ liệu hỏng: {bucket}/{short_key(key)} không khớp mã băm "
                            "(downloaded bytes do not match their SHA-256)"
                        )
                    replace(tmp, dest, durable=durable)
            finally:
                response.close()
                response.release_conn()
            return dest

        # A connection lost mid-download restarts the download, within the same time bound.
        try:
            return self._retry(f"download {bucket.value}/{short_key(key)}", download)
        except OSError as exc:
            raise local_file_error(dest, exc, reading=False) from exc
        except ObjectNotFoundError as exc:
            raise ObjectNotFoundError(
                f"Không tìm thấy đối tượng {bucket}/{short_key(key)} (object not found)"
            ) from exc

    def list_keys(self, bucket: Bucket, prefix: str = "") -> Iterator[str]:
        """Keys in order; a listing cut by an outage resumes after the last key it gave."""
        validate_prefix(prefix)
        self.ensure_buckets()
        name = self.bucket_name(bucket)
        last: str | None = None
        stalled_since: float | None = None
        while True:
            try:
                for obj in self.client.list_objects(
                    name, prefix=prefix or None, recursive=True, start_after=last
                ):
                    if obj.object_name is None:
                        continue
                    last, stalled_since = obj.object_name, None
                    if is_key(obj.object_name):  # not a probe left by a crash, nor a stranger
                        yield obj.object_name
                return
            except MinioException as exc:
                if not is_transient(exc):
                    raise self._failure("list", exc) from exc
                error: Exception = exc
            except Exception as exc:
                if not is_transient(exc):
                    raise
                error = exc
            now = time.monotonic()
            stalled_since = stalled_since or now
            remaining = self.retry_seconds - (now - stalled_since)
            # wait for the server (within what is left of the bound), then resume
            try:
                with_retries("list", lambda: self.client.bucket_exists(name), max(remaining, 0.0))
            except StorageUnavailableError as exc:
                raise exc from error

    # -- deleting ---------------------------------------------------------------------------

    def delete(self, bucket: Bucket, key: str) -> None:
        """Remove every version (content addressing means all versions hold the same bytes)."""
        validate_key(key)
        bucket = Bucket(bucket)
        self.ensure_buckets()
        name = self.bucket_name(bucket)

        def versions() -> list[tuple[str | None, bool]]:
            return [
                (o.version_id, bool(o.is_delete_marker))
                for o in self.client.list_objects(name, prefix=key, include_version=True)
                if o.object_name == key
            ]

        found = self._retry("list versions", versions)
        if bucket in self._locked_buckets:
            now = datetime.now(UTC)
            for version_id, marker in found:
                if marker:
                    continue
                current = self._retention_of(bucket, key, version_id)
                if current is not None and current > now:
                    raise ObjectLockedError(
                        f"Đối tượng {bucket}/{short_key(key)} đang được lưu giữ đến "
                        f"{current:%Y-%m-%d} (under retention, cannot delete)"
                    )
        for version_id, _ in found:
            try:
                self._retry("delete", partial(self.client.remove_object, name, key, version_id=version_id))
            except StorageError as exc:
                cause = exc.__cause__
                if isinstance(cause, S3Error) and cause.code in LOCKED:
                    raise ObjectLockedError(
                        f"Đối tượng {bucket}/{short_key(key)} đang được lưu giữ "
                        "(under retention, cannot delete)"
                    ) from exc
                raise

    # -- sharing ----------------------------------------------------------------------------

    def presigned_get_url(self, bucket: Bucket, key: str, expires: timedelta) -> str:
        validate_key(key)
        presign.check_expiry(expires)
        return str(self.presign_client.presigned_get_object(self.bucket_name(bucket), key, expires=expires))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


__all__ = ["DEFAULT_PART_SIZE", "MinioStore"]
