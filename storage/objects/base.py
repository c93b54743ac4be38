"""The object-store interface every backend implements.

Keys are content addresses (the SHA-256 of the bytes, hex), so storing the same scan twice
stores it once and a key names its content forever. Signed results are new bytes, hence new
keys; retention protects them from deletion and overwrite.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Protocol

from storage.objects.keys import HashedFile


class Bucket(StrEnum):
    ORIGINALS = "originals"  # the scanner's files as received
    DIGITISED = "digitised"  # searchable PDFs and signed digitised copies
    SIGNED = "signed"  # signed e-results, under retention
    INCOMING = "incoming"  # uploads waiting for a queue worker (distributed intake); removed once recorded


@dataclass(frozen=True)
class StoredObject:
    bucket: Bucket
    key: str  # sha256 hex of the content
    sha256: str
    size: int
    content_type: str = "application/octet-stream"
    metadata: Mapping[str, str] = field(default_factory=dict)
    version_id: str | None = None
    created: bool = True  # False when identical content was already stored


class ObjectStore(Protocol):
    def ensure_buckets(self) -> None:
        """Create missing buckets (with versioning and object lock where supported)."""

    def put_file(
        self,
        bucket: Bucket,
        source: Path | HashedFile,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retain: bool = False,
    ) -> StoredObject:
        """Store a file under its SHA-256; idempotent. ``retain`` applies the retention period.

        Given a ``HashedFile`` (see ``keys.hash_file``) the store trusts its hash as long as the
        file is unchanged since, and raises ``SourceChangedError`` otherwise.
        """

    def put_bytes(
        self,
        bucket: Bucket,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
        retain: bool = False,
    ) -> StoredObject: ...

    def stat(self, bucket: Bucket, key: str) -> StoredObject | None: ...

    def retained_until(self, bucket: Bucket, key: str) -> datetime | None:
        """When the object's retention ends; None when it has none (or is not stored)."""

    def open(self, bucket: Bucket, key: str) -> BinaryIO:
        """A streaming reader; the caller closes it.

        Reading to the end raises ``ObjectCorruptedError`` if the bytes do not hash to ``key``.
        """

    def get_file(self, bucket: Bucket, key: str, dest: Path, *, durable: bool = False) -> Path:
        """Download to ``dest`` atomically and check the SHA-256 on the way.

        ``dest`` appears whole or not at all. It is a working copy (the store keeps the object),
        so it is fsynced only when ``durable`` is asked for: fsync costs more than the download
        of a small scan.
        """

    def delete(self, bucket: Bucket, key: str) -> None:
        """Remove an object; refused (ObjectLockedError) while it is under retention.

        Deleting what is not stored is a no-op, so cleaning up after an interrupted intake is
        safe to repeat.
        """

    def list_keys(self, bucket: Bucket, prefix: str = "") -> Iterator[str]: ...

    def presigned_get_url(self, bucket: Bucket, key: str, expires: timedelta) -> str:
        """A download link valid for ``expires`` (1 s to 7 days); the store does not check the key exists."""
