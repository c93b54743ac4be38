"""Visible signature stamps as Vietnamese administrative documents show them.

The official's stamp reads "Ký bởi: NAME", the organisation and "Thời gian ký: <ISO 8601 +07:00>";
the organisation seal is the red seal image with the organisation's name and time; a digitised
copy of a received paper gets a text-only stamp at the top right of page 1. Text uses an
embedded TrueType font so the diacritics render and can be extracted. The time is written the
way Vietnamese documents write it, dd/mm/yyyy HH:MM in the commune's zone. Where a stamp goes
is decided by ``signing.placement`` (empty space of the rendered page); on a rotated page the
appearance is turned back so it reads upright.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import ArrayObject, NumberObject, pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.layout import (
    AxisAlignment,
    BoxConstraints,
    InnerScaling,
    Margins,
    SimpleBoxLayoutRule,
)
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStamp, TextStampStyle

OFFICIAL_TEXT = "Ký bởi: %(signer)s\nCơ quan: %(organisation)s\nThời gian ký: %(signing_time)s"
SEAL_TEXT = "%(organisation)s\nThời gian ký:\n%(signing_time)s"
RECEIVED_TEXT = "Bản số hóa từ bản giấy\nKý bởi: %(signer)s\n%(organisation)s\nThời gian ký: %(signing_time)s"

BLUE = (0.05, 0.15, 0.55)
RED = (0.78, 0.06, 0.12)

Box = tuple[float, float, float, float]

# fontTools warns on every subset about tables it drops (FFTM); that is noise for staff.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)


class StampKind(StrEnum):
    OFFICIAL = "official"
    SEAL = "seal"
    RECEIVED = "received"  # digitised copy of a paper received at the desk
    NONE = "none"  # invisible signature


@dataclass(frozen=True)
class Placement:
    """Where the stamp goes: 1-based page (negative counts from the end) and box in points."""

    page: int = -1
    box: Box | None = None

    def page_index(self, page_count: int) -> int:
        idx = self.page - 1 if self.page > 0 else page_count + self.page
        if not 0 <= idx < page_count:
            from signing.errors import SigningError

            raise SigningError(f"Trang {self.page} không có trong tài liệu {page_count} trang (no such page)")
        return idx


STAMP_TIME_FORMAT = "%d/%m/%Y %H:%M"


def signing_time_text(now: dt.datetime, tz: dt.tzinfo) -> str:
    """Local date and time as documents print it, e.g. 21/11/2026 09:12 (in the commune's zone)."""
    return now.astimezone(tz).strftime(STAMP_TIME_FORMAT)


VN_TZ = dt.timezone(dt.timedelta(hours=7))
_PYHANKO_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass(frozen=True)
class ZonedTextStampStyle(TextStampStyle):
    """A text stamp whose ``%(signing_time)s`` is the signature's own time, in the commune's zone.

    pyHanko formats the signing time (the one in the CMS) in the machine's local zone; the
    stamp re-reads it and prints it as ISO 8601 in ``zone``, so stamp and signature agree.
    """

    zone: dt.tzinfo = VN_TZ
    timestamp_format: str = _PYHANKO_TS_FORMAT
    rotate: int = 0
    """the page's /Rotate: the appearance is turned the other way so it reads upright"""

    def create_stamp(self, writer: Any, box: Any, text_params: dict) -> Any:
        params = dict(text_params)
        try:
            when = dt.datetime.strptime(str(params["ts"]), _PYHANKO_TS_FORMAT)
        except (KeyError, ValueError):
            pass
        else:
            params["signing_time"] = signing_time_text(when, self.zone)
        if self.rotate in (90, 270):
            # the widget's Rect is in user space; the text is laid out in the displayed box
            box = BoxConstraints(width=box.height, height=box.width)
        if self.rotate:
            return _TurnedTextStamp(writer=writer, style=self, box=box, text_params=params)
        return super().create_stamp(writer, box, params)


_TURN = {90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}


class _TurnedTextStamp(TextStamp):
    """A text stamp whose form XObject carries a /Matrix that undoes the page's /Rotate.

    A viewer maps the transformed /BBox onto the widget's Rect (ISO 32000-1 12.5.5), so the
    turned appearance fills the Rect and reads upright on the displayed page.
    """

    def as_form_xobject(self) -> Any:
        xobj = super().as_form_xobject()
        a, b, c, d = _TURN[self.style.rotate]
        xobj[pdf_name("/Matrix")] = ArrayObject([NumberObject(v) for v in (a, b, c, d, 0, 0)])
        return xobj


def stamp_size(kind: StampKind) -> tuple[float, float]:
    """The stamp's width and height as displayed, in points, before scaling to a small page."""
    x0, y0, x1, y1 = default_box(kind, 595.0, 842.0)
    return (x1 - x0, y1 - y0)


def default_box(kind: StampKind, width: float, height: float) -> Box:
    """Bottom right for the official, left of it for the seal, top right for a received copy."""
    margin = 36.0
    if kind is StampKind.RECEIVED:
        # In the top margin, above where scanned documents print their national motto header:
        # the stamp is drawn without a background, so it must not sit over the content.
        edge = 6.0
        return (width - edge - 6 - 220, height - edge - 44, width - edge - 6, height - edge)
    if kind is StampKind.SEAL:
        right = width - margin - 230 - 8
        return (right - 200, margin, right, margin + 80)
    return (width - margin - 230, margin, width - margin, margin + 66)


def text_style(font: Path, size: int, color: tuple[float, float, float]) -> TextBoxStyle:
    return TextBoxStyle(
        font=GlyphAccumulatorFactory(str(font), font_size=size),
        font_size=size,
        text_color=color,
        leading=size + 3,
    )


def stamp_style(
    kind: StampKind, font: Path, seal_png: Path | None = None, zone: dt.tzinfo = VN_TZ, rotate: int = 0
) -> TextStampStyle:
    """The pyHanko style for ``kind`` on a page turned by ``rotate``; the seal needs ``seal_png``."""
    if kind is StampKind.SEAL:
        if seal_png is None:
            raise ValueError("the seal stamp needs a seal image")
        return ZonedTextStampStyle(
            zone=zone,
            rotate=rotate,
            stamp_text=SEAL_TEXT,
            text_box_style=text_style(font, 8, RED),
            border_width=0,
            background=PdfImage(str(seal_png)),
            background_opacity=1.0,
            background_layout=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MIN,
                y_align=AxisAlignment.ALIGN_MID,
                inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
            ),
            inner_content_layout=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MAX,
                y_align=AxisAlignment.ALIGN_MID,
                margins=Margins(left=84, right=2),
                inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
            ),
        )
    if kind is StampKind.RECEIVED:
        return ZonedTextStampStyle(
            zone=zone,
            rotate=rotate,
            stamp_text=RECEIVED_TEXT,
            text_box_style=text_style(font, 7, BLUE),
            border_width=0,
            background=None,
        )
    return ZonedTextStampStyle(
        zone=zone,
        rotate=rotate,
        stamp_text=OFFICIAL_TEXT,
        text_box_style=text_style(font, 8, BLUE),
        border_width=1,
        border_color=BLUE,
        background=None,
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins(left=5, right=5, top=3, bottom=3),
            inner_content_scaling=InnerScaling.SHRINK_TO_FIT,
        ),
    )
