"""Make an input PDF readable by pyHanko's strict reader, without ever touching a signed one.

Scanner and image-library PDFs are often slightly malformed (e.g. an xref entry for object 0
with generation 65536). Rewriting an unsigned PDF with qpdf (pikepdf) fixes that before the
first signature. Rewriting a signed PDF would break its signatures, so one that the strict
reader refuses is rejected instead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.errors import InputPdfError


@dataclass(frozen=True)
class PreparedPdf:
    data: bytes
    repaired: bool


def _strict_ok(data: bytes) -> bool:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.root  # noqa: B018 - forces the trailer/catalog to resolve
        return True
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        return False


def _has_signature(pdf: pikepdf.Pdf) -> bool:
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/ByteRange" in obj and "/Contents" in obj:
            return True
    return False


def prepare_for_signing(data: bytes, name: str = "PDF") -> PreparedPdf:
    """Return bytes the strict reader accepts; repair only an unsigned file."""
    if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise InputPdfError(f"{name} không phải là tệp PDF (not a PDF)")
    if _strict_ok(data):
        return PreparedPdf(data, repaired=False)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if _has_signature(pdf):
                raise InputPdfError(
                    f"{name} đã có chữ ký số nhưng cấu trúc lỗi nên không thể ký tiếp mà không làm "
                    "hỏng chữ ký cũ (already-signed PDF cannot be read strictly; not rewritten)"
                )
            if pdf.is_encrypted:
                raise InputPdfError(f"{name} được mã hóa; hãy gỡ mật khẩu trước (encrypted PDF)")
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    except pikepdf.PasswordError:
        raise InputPdfError(f"{name} được bảo vệ bằng mật khẩu (password-protected PDF)") from None
    except pikepdf.PdfError as exc:
        raise InputPdfError(f"Không đọc được {name} (unreadable PDF): {exc}") from None
    fixed = out.getvalue()
    if not _strict_ok(fixed):
        raise InputPdfError(f"Không sửa được {name} để ký (PDF could not be repaired for signing)")
    return PreparedPdf(fixed, repaired=True)
