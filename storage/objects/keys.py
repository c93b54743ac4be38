"""Content addresses: validating keys and hashing what is stored or read back."""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from storage.objects.errors import (
    InvalidObjectKeyError,
    ObjectCorruptedError,
    SourceChangedError,
    short_key,
)

CHUNK = 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{64}")
_PREFIX = re.compile(r"[0-9a-f]{0,64}")


def validate_key(key: str) -> str:
    """Refuse anything but a lowercase SHA-256 hex digest, so a key can never name a path."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidObjectKeyError("Khóa đối tượng không hợp lệ (object key must be a SHA-256 hex digest)")
    return key


def is_key(name: str) -> bool:
    return bool(_KEY.fullmatch(name))


def validate_prefix(prefix: str) -> str:
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise InvalidObjectKeyError("Tiền tố khóa không hợp lệ (key prefix must be lowercase hex)")
    return prefix


def sha256_file(path: Path) -> tuple[str, int]:
    """Hash a file in chunks; a scan may be larger than memory allows."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class HashedFile:
    """A file and the SHA-256 its bytes had when it was first read.

    Intake reads every scan once to check for duplicates; handing that hash to the store saves a
    second pass over the file. The identity (size, mtime, ctime, inode) is what a store checks
    before and after its upload, so a file changed since it was hashed is refused rather than
    stored under a key that does not name its content.
    """

    path: Path
    sha256: str
    size: int
    identity: tuple[int, int, int, int]

    def unchanged(self) -> bool:
        try:
            return _identity(os.stat(self.path)) == self.identity
        except OSError:
            return False


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def hash_file(path: Path) -> HashedFile:
    """Hash a file once, for its duplicate check and its upload alike.

    Raises ``SourceChangedError`` when the file was being written while it was read, and
    ``OSError`` when it cannot be read.
    """
    path = Path(path)
    before = _identity(os.stat(path))
    key, size = sha256_file(path)
    after = _identity(os.stat(path))
    if before != after or size != before[0]:
        raise SourceChangedError(path.name)
    return HashedFile(path=path, sha256=key, size=size, identity=after)


class VerifyingReader(io.RawIOBase):
    """Hashes what passes through and fails at end of stream if it does not match the key.

    Callers that read an object to the end therefore never consume corrupted bytes silently.
    """

    def __init__(self, raw: BinaryIO, expected_sha256: str) -> None:
        super().__init__()
        self._raw = raw
        self._expected = expected_sha256
        self._digest = hashlib.sha256()
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        if n:
            buffer[:n] = data
            self._digest.update(data)
        elif not self._done:
            self._done = True
            if self._digest.hexdigest() != self._expected:
                raise ObjectCorruptedError(
                    f"Dữ liệu hỏng: nội dung không khớp mã băm {short_key(self._expected)} "
                    "(stored object does not match its SHA-256)"
                )
        return n

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()


def verifying_reader(raw: BinaryIO, expected_sha256: str) -> BinaryIO:
    return io.BufferedReader(VerifyingReader(raw, expected_sha256), buffer_size=CHUNK)  # type: ignore[return-value]
