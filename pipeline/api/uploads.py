"""Uploads streamed to disk in chunks with a size cap, never held whole in memory.

FastAPI's ``UploadFile`` would parse the whole body before the handler runs (so the size cap
could only be checked afterwards); here the multipart stream is parsed as it arrives with
python-multipart's push parser, each file part goes straight into a file, and the request is
refused with 413 as soon as the cap is passed (at once when ``Content-Length`` already says so).
A file name that tries to name a path (``../``, ``/``, ``\\``) is refused, not "cleaned".
"""

from __future__ import annotations

import hashlib
import os
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from pipeline.api.errors import ApiError

MAX_FIELD_BYTES = 4096
MAX_FILES = 200
MAX_NAME = 200

def multipart_openapi(*text_fields: str) -> dict[str, Any]:
    """The OpenAPI request body of a multipart upload: ``files`` and optional text fields.

    Handlers parse the stream themselves (see above), so FastAPI cannot describe the body.
    """
    properties: dict[str, Any] = {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
        **{name: {"type": "string"} for name in text_fields},
    }
    schema = {"type": "object", "properties": properties, "required": ["files"]}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


MULTIPART_OPENAPI = multipart_openapi()


@dataclass
class SavedFile:
    name: str
    path: Path
    size: int
    sha256: str


@dataclass
class ReceivedForm:
    files: list[SavedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


def safe_filename(raw: str) -> str:
    """The client's file name if it is a plain name; anything path-like is refused (422)."""
    name = unicodedata.normalize("NFC", raw)
    if (
        not name
        or name in {".", ".."}
        or "/" in name
        or "\\" in name
        or ".." in name
        or any(ord(c) < 32 or c == "\x7f" for c in name)
        or name.startswith(".")
        or len(name) > MAX_NAME
    ):
        raise ApiError(422, "Tên tệp không hợp lệ (file name must be a plain name, no path)")
    return name


FRAMING_ALLOWANCE = 64 * 1024  # multipart boundaries and part headers on top of the file bytes


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"Tệp tải lên quá lớn (upload larger than {limit // (1024 * 1024)} MiB)")


def limit_bytes(max_upload_mb: float) -> int:
    return int(max_upload_mb * 1024 * 1024)


def check_content_length(request: Request, limit: int) -> None:
    raw = request.headers.get("content-length")
    if raw is not None:
        try:
            declared = int(raw)
        except ValueError:
            raise ApiError(400, "Content-Length không hợp lệ (bad Content-Length)") from None
        if declared > limit + FRAMING_ALLOWANCE:
            raise too_large(limit)


class _PartWriter:
    """Callbacks of the push parser: headers of a part, then its data, to a file or a field."""

    def __init__(self, dest: Path, limit: int) -> None:
        self.dest = dest
        self.limit = limit
        self.form = ReceivedForm()
        self.total = 0
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._fh: Any = None
        self._digest: Any = None
        self._size = 0
        self._name: str | None = None
        self._field_name: str | None = None
        self._field_value = bytearray()
        self.error: ApiError | None = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": lambda d, s, e: self._add_header_field(d[s:e]),
            "on_header_value": lambda d, s, e: self._add_header_value(d[s:e]),
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def _add_header_field(self, data: bytes) -> None:
        self._header_field += data

    def _add_header_value(self, data: bytes) -> None:
        self._header_value += data

    def on_part_begin(self) -> None:
        self._headers = {}
        self._header_field = self._header_value = b""
        self._name = self._field_name = None
        self._field_value = bytearray()
        self._fh = None

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        field_name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            self._field_name = field_name
            return
        if len(self.form.files) >= MAX_FILES:
            raise ApiError(422, f"Tối đa {MAX_FILES} tệp mỗi lần (too many files)")
        name = safe_filename(filename.decode("utf-8", "replace"))
        slot = self.dest / f"{len(self.form.files):03d}"
        slot.mkdir(parents=True, exist_ok=True)
        path = slot / name
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in on_part_end / abort
        self._digest = hashlib.sha256()
        self._size = 0
        self._name = name
        self.form.files.append(SavedFile(name=name, path=path, size=0, sha256=""))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        self.total += len(chunk)
        if self.total > self.limit:
            raise too_large(self.limit)
        if self._fh is not None:
            self._fh.write(chunk)
            self._digest.update(chunk)
            self._size += len(chunk)
        elif self._field_name is not None:
            if len(self._field_value) + len(chunk) > MAX_FIELD_BYTES:
                raise ApiError(422, "Trường biểu mẫu quá dài (form field too long)")
            self._field_value += chunk

    def on_part_end(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            saved = self.form.files[-1]
            saved.size, saved.sha256 = self._size, self._digest.hexdigest()
        elif self._field_name:
            self.form.fields[self._field_name] = self._field_value.decode("utf-8", "replace")

    def abort(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


async def receive_multipart(request: Request, dest: Path, limit: int) -> ReceivedForm:
    """Stream a ``multipart/form-data`` body into ``dest``; on any failure ``dest`` is removed."""
    check_content_length(request, limit)
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError(415, "Cần multipart/form-data (expected a multipart upload)")
    dest.mkdir(parents=True, exist_ok=True)
    writer = _PartWriter(dest, limit)
    try:
        parser = MultipartParser(boundary, writer.callbacks())  # type: ignore[arg-type]
        received = 0
        async for chunk in request.stream():
            # Every byte read counts (framing, preamble, epilogue after the last boundary), not
            # only part data: without Content-Length nothing else bounds the body.
            received += len(chunk)
            if received > limit + FRAMING_ALLOWANCE:
                raise too_large(limit)
            parser.write(chunk)
        parser.finalize()
    except ApiError:
        writer.abort()
        shutil.rmtree(dest, ignore_errors=True)
        raise
    except Exception as exc:
        writer.abort()
        shutil.rmtree(dest, ignore_errors=True)
        raise ApiError(400, "Dữ liệu tải lên bị lỗi (malformed multipart body)") from exc
    if writer._fh is not None:  # body ended inside a part
        writer.abort()
        shutil.rmtree(dest, ignore_errors=True)
        raise ApiError(400, "Dữ liệu tải lên bị cắt ngang (truncated multipart body)")
    return writer.form


async def receive_body(request: Request, path: Path, limit: int) -> SavedFile:
    """Stream a raw body (``application/pdf``) into ``path``; removed on failure."""
    check_content_length(request, limit)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "wb") as fh:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                fh.write(chunk)
                digest.update(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return SavedFile(name=path.name, path=path, size=size, sha256=digest.hexdigest())


async def receive_pdf(request: Request, dest: Path, limit: int) -> SavedFile:
    """One PDF, as a raw ``application/pdf`` body or as the single file of a multipart body."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await receive_multipart(request, dest, limit)
        if len(form.files) != 1:
            shutil.rmtree(dest, ignore_errors=True)
            raise ApiError(422, "Cần đúng một tệp PDF (exactly one file expected)")
        return form.files[0]
    return await receive_body(request, dest / "upload.pdf", limit)
