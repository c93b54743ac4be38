"""Object metadata: the same rules on both backends, so code moving between them sees no change.

Keys are lowercase ``[a-z0-9-]`` (S3 lowercases ``x-amz-meta-*`` names anyway); values are any
Unicode text (Vietnamese names, for instance), percent-encoded on the wire because S3 headers
are ASCII. The store itself sets ``sha256``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, unquote

from storage.objects.errors import InvalidMetadataError

HASH_KEY = "sha256"
MAX_TOTAL = 2048  # S3's limit on user metadata, in bytes
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# Printable ASCII kept as is (readable in a console); space, %, controls and non-ASCII escaped.
_SAFE = "!#$&'()*+,-./:;=?@[]^_`{|}~"
S3_PREFIX = "x-amz-meta-"


def normalise(metadata: Mapping[str, str] | None, sha256: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        name = str(key).lower()
        if name.startswith(S3_PREFIX):
            name = name[len(S3_PREFIX) :]
        if not _KEY.fullmatch(name):
            raise InvalidMetadataError(
                "Tên siêu dữ liệu không hợp lệ (metadata keys are lowercase letters, digits, '-')"
            )
        if not isinstance(value, str):
            raise InvalidMetadataError("Giá trị siêu dữ liệu phải là chuỗi (metadata values are text)")
        out[name] = value
    out[HASH_KEY] = sha256
    if sum(len(k) + len(encode_value(v)) for k, v in out.items()) > MAX_TOTAL:
        raise InvalidMetadataError("Siêu dữ liệu quá lớn (metadata larger than 2 KB)")
    return out


def encode_value(value: str) -> str:
    return quote(value, safe=_SAFE)


def decode_value(value: str) -> str:
    return unquote(value)


def to_s3(metadata: Mapping[str, str]) -> dict[str, str]:
    return {S3_PREFIX + k: encode_value(v) for k, v in metadata.items()}


def from_s3(headers: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        lname = name.lower()
        if lname.startswith(S3_PREFIX):
            out[lname[len(S3_PREFIX) :]] = decode_value(value)
    return out
