"""HMAC-signed, expiring download URLs for the directory store (what S3 presigning is to MinIO).

The URL is ``{base}/objects/{bucket}/{key}?expires={unix}&signature={b64url}``; the API serves
that path after ``verify_presigned``. The secret lives in the data directory (0600), created
once and shared by every process (CLI, API) using the same data directory.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from storage.objects.atomic import fsync_dir, temp_file, write_chunks
from storage.objects.base import Bucket
from storage.objects.errors import InvalidObjectKeyError, PresignError
from storage.objects.keys import validate_key

MAX_EXPIRY = timedelta(days=7)  # S3's limit, kept here so both backends accept the same range
URL_PATH = "/objects"


def check_expiry(expires: timedelta) -> int:
    seconds = int(expires.total_seconds())
    if seconds < 1 or expires > MAX_EXPIRY:
        raise PresignError("Thời hạn liên kết phải từ 1 giây đến 7 ngày (presign expiry 1 s to 7 days)")
    return seconds


def load_or_create_secret(path: Path) -> bytes:
    """Read the signing secret, creating it race-free (link fails if another process won)."""
    with contextlib.suppress(FileNotFoundError):
        return _read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with temp_file(path.parent) as (fd, tmp):
        os.fchmod(fd, 0o600)
        write_chunks(fd, [secrets.token_hex(32).encode()])
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
            fsync_dir(path.parent)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    data = path.read_bytes().strip()
    if len(data) < 32:
        raise PresignError("Khóa ký liên kết bị hỏng (presign secret file is damaged)")
    return data


def _signature(secret: bytes, bucket: str, key: str, expires_at: int) -> str:
    mac = hmac.new(secret, f"{bucket}\n{key}\n{expires_at}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def make_url(secret: bytes, base_url: str, bucket: Bucket, key: str, expires: timedelta) -> str:
    expires_at = int(time.time()) + check_expiry(expires)
    sig = _signature(secret, bucket.value, key, expires_at)
    return (
        f"{base_url.rstrip('/')}{URL_PATH}/{quote(bucket.value)}/{key}?expires={expires_at}&signature={sig}"
    )


def verify_url(secret: bytes, url: str, now: float | None = None) -> tuple[Bucket, str]:
    """Check a presigned URL (absolute, or path and query) and return what it grants."""
    parts = urlsplit(url)
    segments = parts.path.rstrip("/").split("/")
    query = parse_qs(parts.query)
    try:
        bucket = Bucket(segments[-2])
        key = validate_key(segments[-1])
        (expires_raw,) = query["expires"]
        (sig,) = query["signature"]
        expires_at = int(expires_raw)
    except (IndexError, KeyError, ValueError, InvalidObjectKeyError) as exc:
        raise PresignError("Liên kết tải về không hợp lệ (malformed download link)") from exc
    if "/".join(segments[-3:-2]) != URL_PATH.strip("/"):
        raise PresignError("Liên kết tải về không hợp lệ (malformed download link)")
    expected = _signature(secret, bucket.value, key, expires_at)
    if not hmac.compare_digest(expected, sig):
        raise PresignError("Liên kết tải về bị giả mạo (download link signature is invalid)")
    if (time.time() if now is None else now) >= expires_at:
        raise PresignError("Liên kết tải về đã hết hạn (download link has expired)")
    return bucket, key
