"""Content type from magic bytes, checked against the file name's extension.

A scanner or clerk can save a PNG as ``.pdf``; trusting the extension would send it to the
wrong reader and produce a confusing error, so the bytes decide and a disagreement is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ocr.errors import EmptyFileError, FileTooLargeError, TypeMismatchError, UnsupportedFileError

Kind = Literal["pdf", "tiff", "jpeg", "png"]

EXTENSIONS: dict[str, Kind] = {
    ".pdf": "pdf",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".png": "png",
}


def kind_from_bytes(head: bytes) -> Kind | None:
    """The kind named by the first bytes of a file, or None when none matches."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    # PDF readers accept a header within the first KiB (some scanners prepend junk).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def sniff(path: Path, max_file_mb: float | None = None) -> Kind:
    """Kind of ``path`` by content; raises when empty, too large, unknown or mismatched."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(path)
    if max_file_mb is not None and size > max_file_mb * 1024 * 1024:
        raise FileTooLargeError(path, f"{size / 1024 / 1024:.0f} MB > {max_file_mb:.0f} MB")
    with path.open("rb") as fh:
        head = fh.read(1024)
    by_content = kind_from_bytes(head)
    by_name = EXTENSIONS.get(path.suffix.lower())
    if by_content is None:
        if by_name is not None:
            raise TypeMismatchError(path, f"không phải {by_name.upper()} (not a {by_name.upper()})")
        raise UnsupportedFileError(path)
    if by_name is not None and by_name != by_content:
        raise TypeMismatchError(path, f"{path.suffix} ≠ {by_content.upper()}")
    return by_content
