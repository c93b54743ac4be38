"""Certified e-copies from originals (chứng thực bản sao điện tử từ bản chính).

The clerk has compared the scan with the paper original. sohoa then takes the next number of
the certification book, writes the statement in free space of the last page (or on a page
added for it when the scan is ink to the edges), and has the official certify
(DocMDP, with the seal's field reserved) and the agency seal sign, each in its own revision.
Number, statement and signatures happen in one database transaction: if anything fails the
number is not consumed and no file appears; the act is recorded with the output's hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import (
    AxisAlignment,
    BoxConstraints,
    InnerScaling,
    Margins,
    SimpleBoxLayoutRule,
)
from pyhanko.sign.signers import Signer
from pyhanko.stamp import TextStamp, TextStampStyle
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from config.settings import Settings
from signing.appearance import RED, StampKind, text_style
from signing.certcheck import subject_name
from signing.errors import SigningError
from signing.pades import Overlay, PageBox, SigningContext, SignRequest, read_input, sign_bytes
from storage.db.certification import Allocated, allocate_number, ensure_tables, record_act
from storage.db.engine import write_session
from storage.db.errors import DatabaseError

STATEMENT = "Chứng thực bản sao đúng với bản chính"
REASON = "Chứng thực bản sao từ bản chính (certified copy)"


@dataclass(frozen=True)
class CertifyRequest:
    book: str
    """printed book code, e.g. ``01/2026-SCT/BS``"""
    requester: str
    suffix: str = "ĐT"
    official_name: str | None = None
    """defaults to the common name of the official's certificate"""
    place: str | None = None
    """e.g. ``Tân Phú``: printed as "Tân Phú, ngày 21 tháng 11 năm 2026\""""
    certified_on: dt.date | None = None
    statement_box: tuple[float, float, float, float] | None = None
    """on the last page, in points; default: free space found on the rendered page"""


@dataclass(frozen=True)
class CertifyResult:
    number: Allocated
    output: Path
    output_sha256: str


def open_book_engine(settings: Settings) -> Engine:
    """The database engine, schema up to date, certification tables present."""
    from storage.db.migrate import upgrade_database

    try:
        engine = upgrade_database(settings)
        ensure_tables(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"Không mở được sổ chứng thực (cannot open the book): {type(exc).__name__}"
        ) from None
    return engine


def statement_text(alloc: Allocated, on: dt.date, official: str, place: str | None) -> str:
    day = f"ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"
    dated = f"{place}, {day}" if place else day[0].upper() + day[1:]
    return (
        f"{STATEMENT}\n"
        f"Số chứng thực: {alloc.label}\n"
        f"Quyển số: {alloc.book}\n"
        f"{dated}\n"
        f"Người thực hiện chứng thực: {official}"
    )


STATEMENT_SIZE = (280.0, 80.0)


def _statement_overlay(text: str, font: Path, box: tuple[float, float, float, float] | None) -> Overlay:
    """The statement on the last page: in free space found like a stamp's, unless ``box`` fixes it."""

    def draw(writer: IncrementalPdfFileWriter, page: int, at: PageBox) -> None:
        x0, y0, x1, y1 = at
        style = TextStampStyle(
            stamp_text="%(statement)s",
            text_box_style=text_style(font, 9, RED),
            border_width=1,
            border_color=RED,
            background=None,
            inner_content_layout=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MIN,
                y_align=AxisAlignment.ALIGN_MID,
                margins=Margins(left=6, right=6, top=4, bottom=4),
                inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
            ),
        )
        stamp = TextStamp(
            writer, style, text_params={"statement": text}, box=BoxConstraints(width=x1 - x0, height=y1 - y0)
        )
        stamp.apply(page, int(x0), int(y0))

    return Overlay(size=STATEMENT_SIZE, draw=draw, page=-1, box=box)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def certify_file(
    src: Path,
    dst: Path,
    official: Signer,
    seal: Signer,
    request: CertifyRequest,
    ctx: SigningContext,
    engine: Engine,
) -> CertifyResult:
    """Number, stamp and doubly sign ``src`` into ``dst``; record the act. All or nothing."""
    if not request.requester.strip():
        raise SigningError("Cần tên người yêu cầu chứng thực (--requester is required)")
    if not request.book.strip():
        raise SigningError("Cần mã quyển sổ chứng thực (--book is required)")
    data = read_input(src)
    cert = official.signing_cert
    official_name = request.official_name or (subject_name(cert) if cert is not None else "")
    on = request.certified_on or dt.datetime.now(ctx.tz).date()

    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with write_session(engine) as session:
            book_id, alloc = allocate_number(session, request.book, on.year, request.suffix)
            overlay = _statement_overlay(
                statement_text(alloc, on, official_name, request.place), ctx.font, request.statement_box
            )
            first = sign_bytes(
                data,
                official,
                SignRequest(certify=True, reserve_seal_field=True, reason=REASON, name=official_name),
                ctx,
                name=src.name,
                overlay=overlay,
            )
            signed = sign_bytes(
                first, seal, SignRequest(stamp=StampKind.SEAL, reason=REASON), ctx, name=src.name
            )
            out_hash = _sha256(signed)
            record_act(
                session,
                book_id,
                alloc,
                certified_on=on,
                document_sha256=_sha256(data),
                document_name=src.name,
                requester=request.requester.strip(),
                official=official_name,
                output_sha256=out_hash,
            )
            with tmp.open("wb") as fh:
                fh.write(signed)
                fh.flush()
                os.fsync(fh.fileno())
        # committed: the act exists, now the file appears under its name
        os.replace(tmp, dst)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"Không ghi được sổ chứng thực (cannot record the act): {type(exc).__name__}"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return CertifyResult(alloc, dst, out_hash)
