"""Scans as scanners write them (JPEG, PNG, TIFF) turned into a PDF before signing.

``img2pdf`` wraps the image data losslessly (JPEG stays the same JPEG, no re-encoding), so the
signed copy shows exactly the pixels the scanner produced.
"""

from __future__ import annotations

import img2pdf

from signing.errors import InputPdfError

IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC)


def as_pdf(data: bytes, name: str = "tệp") -> bytes:
    """PDF bytes as they are; a JPEG, PNG or TIFF wrapped into a PDF; anything else refused."""
    if b"%PDF-" in data[:1024]:
        return data
    if is_image(data):
        try:
            return bytes(img2pdf.convert(data))
        except Exception as exc:  # img2pdf raises several kinds on a broken image
            raise InputPdfError(
                f"Không chuyển được ảnh {name} sang PDF (image conversion failed): {type(exc).__name__}"
            ) from None
    raise InputPdfError(
        f"{name} không phải là tệp PDF hay ảnh quét JPEG, PNG, TIFF (not a PDF or a scan image)"
    )
