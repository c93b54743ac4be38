"""Bad-input errors raised while reading a scan.

Each carries a stable ``reason`` code so intake can quarantine the file under it, and a
one-line message naming the file (Vietnamese first, English gloss in parentheses).
"""

from __future__ import annotations

from pathlib import Path

from config.errors import ExitCode, SohoaError


class InputFileError(SohoaError):
    """A scan that cannot be read as given; nothing was written for it."""

    exit_code = ExitCode.INPUT_FILE
    reason = "unreadable"
    vi = "không đọc được tệp"
    en = "unreadable file"

    def __init__(self, path: Path | str, detail: str = "") -> None:
        self.path = Path(path)
        self.detail = detail
        extra = f": {detail}" if detail else ""
        super().__init__(f"{self.path.name}: {self.vi} ({self.en}){extra}")


class EmptyFileError(InputFileError):
    reason = "empty"
    vi = "tệp rỗng"
    en = "empty file"


class FileTooLargeError(InputFileError):
    reason = "too_large"
    vi = "tệp quá lớn"
    en = "file too large"


class UnsupportedFileError(InputFileError):
    reason = "unsupported"
    vi = "định dạng không được hỗ trợ, chỉ nhận PDF, TIFF, JPEG, PNG"
    en = "unsupported format: PDF, TIFF, JPEG, PNG only"


class TypeMismatchError(InputFileError):
    reason = "type_mismatch"
    vi = "nội dung không khớp với phần mở rộng của tệp"
    en = "content does not match the file extension"


class CorruptPdfError(InputFileError):
    reason = "corrupt_pdf"
    vi = "tệp PDF bị hỏng hoặc không trọn vẹn"
    en = "corrupt or truncated PDF"


class EncryptedPdfError(InputFileError):
    reason = "encrypted"
    vi = "tệp PDF có mật khẩu"
    en = "password-protected PDF"


class NoPagesError(InputFileError):
    reason = "no_pages"
    vi = "tệp không có trang nào"
    en = "no pages"


class TooManyPagesError(InputFileError):
    reason = "too_many_pages"
    vi = "tệp có quá nhiều trang"
    en = "too many pages"


class ImageBombError(InputFileError):
    reason = "image_bomb"
    vi = "ảnh quá lớn, nghi là bom giải nén"
    en = "image too large, possible decompression bomb"


class PdfNestingError(InputFileError):
    reason = "pdf_nesting"
    vi = "tệp PDF lồng đối tượng quá sâu hoặc vòng lặp, nghi là bom giải nén"
    en = "PDF objects nested too deep or in a cycle, possible decompression bomb"


class RenderTimeoutError(InputFileError):
    reason = "render_timeout"
    vi = "dựng ảnh trang PDF quá thời gian cho phép"
    en = "rendering the PDF page took too long"


class BadImageError(InputFileError):
    reason = "corrupt_image"
    vi = "ảnh bị hỏng"
    en = "corrupt image"


class BadTiffFrameError(InputFileError):
    reason = "bad_tiff_frame"
    vi = "không đọc được một trang của tệp TIFF"
    en = "unreadable TIFF frame"


class PageOcrError(SohoaError):
    """An unexpected failure while cleaning or OCR-ing one page."""

    exit_code = ExitCode.OCR
    reason = "ocr_failed"
