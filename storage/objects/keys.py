"""Content addresses: validating keys and hashing what is stored or read back."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import BinaryIO

from storage.objects.errors import InvalidObjectKeyError, ObjectCorruptedError, short_key

CHUNK = 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{64}")
_PREFIX = re.compile(r"[0-9a-f]{0,64}")


def validate_key(key: str) -> str:
    """Refuse anything but a lowercase SHA-256 hex digest, so a key can never name a path."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidObjectKeyError("Khóa đối tượng không hợp lệ (object key must be a SHA-256 hex digest)")
    return key


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
