"""Keeping long-term results verifiable: a fresh document timestamp before the last one expires.

A B-LTA result carries a document timestamp over its validation data. That timestamp is only
as good as its TSA certificate; before the certificate expires (or its algorithm weakens) the
archive adds the validation data of the last timestamp and a new document timestamp over
everything (ETSI EN 319 142-1, the LTA chain). pyHanko's ``update_archival_timestamp_chain``
does exactly that; this module gives it the configured TSA and trust.
"""

from __future__ import annotations

import io

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimestampRequestError

from signing.errors import InputPdfError, SigningError
from signing.pades import SigningContext


def renew_timestamp(data: bytes, ctx: SigningContext, *, name: str = "PDF") -> bytes:
    """``data`` plus the last timestamp's validation data and a new document timestamp."""
    if not ctx.tsa_url:
        raise SigningError(
            "Gia hạn cần máy chủ dấu thời gian: đặt SOHOA_SIGNING__TSA_URL (no TSA configured)"
        )
    validation = ctx.validation_context()
    if validation is None:
        raise SigningError("Gia hạn cần gốc tin cậy: đặt SOHOA_SIGNING__TRUST_ROOTS (no trust roots)")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if not reader.embedded_signatures:
            raise InputPdfError(f"{name} chưa có chữ ký số nào (no signature to keep valid)")
        out = io.BytesIO()
        signers.PdfTimeStamper(timestamps.HTTPTimeStamper(ctx.tsa_url)).update_archival_timestamp_chain(
            reader, validation, in_place=False, output=out
        )
    except TimestampRequestError as exc:
        raise SigningError(f"Máy chủ dấu thời gian không trả lời đúng (TSA request failed): {exc}") from None
    except (PyHankoSigningError, ValueError) as exc:
        raise SigningError(f"Không gia hạn được {name} (renewal failed): {exc}") from None
    except PdfError as exc:
        raise InputPdfError(f"{name}: PDF lỗi (malformed PDF): {exc}") from None
    return out.getvalue()
