"""A drawing surface that remembers what it printed, line by line, in reading order.

The ground truth ``text`` is not reconstructed afterwards: every call that puts a line of text on
the page also appends it to ``lines``, so the truth is exactly what was drawn. Renderers call the
methods in reading order (top to bottom; a left header column before the right one).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

RENDER_DPI = 300
A4_PX = (2480, 3508)  # 210 × 297 mm at 300 dpi
CARD_PX = (1011, 638)  # 85.6 × 54 mm at 300 dpi

_FONT_FILES = {
    "serif": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "serif-bold": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "serif-italic": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "lsans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "lsans-bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=128)
def font(name: str, points: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_FONT_FILES[name], round(points * RENDER_DPI / 72))


def pt(points: float) -> int:
    """Points to pixels at the render resolution."""
    return round(points * RENDER_DPI / 72)


@dataclass
class Canvas:
    """One page (or one card side) being rendered at 300 dpi, RGB."""

    size: tuple[int, int] = A4_PX
    background: tuple[int, int, int] = (255, 255, 255)
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", self.size, self.background)
        self.draw = ImageDraw.Draw(self.image)

    @property
    def width(self) -> int:
        return self.size[0]

    def measure(self, text: str, fnt: ImageFont.FreeTypeFont) -> float:
        return float(fnt.getlength(nfc(text)))

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        fnt: ImageFont.FreeTypeFont,
        *,
        align: str = "left",
        fill: tuple[int, int, int] = (0, 0, 0),
        record: bool = True,
    ) -> float:
        """Draw one line; ``x`` is the left edge, centre or right edge per ``align``."""
        text = nfc(text)
        x, y = xy
        width = fnt.getlength(text)
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        self.draw.text((x, y), text, font=fnt, fill=fill)
        if record:
            self.lines.append(" ".join(text.split()))
        return x + width

    def runs(
        self,
        xy: tuple[float, float],
        parts: list[tuple[str, ImageFont.FreeTypeFont]],
        *,
        gap: float | None = None,
        fill: tuple[int, int, int] = (0, 0, 0),
    ) -> float:
        """Draw several runs on one printed line (label in regular, value in bold...), recorded as one line.

        ``gap`` adds extra space between runs (as forms separate "Giới tính: Nam   Dân tộc: Kinh").
        """
        x, y = xy
        pieces: list[str] = []
        for i, (text, fnt) in enumerate(parts):
            text = nfc(text)
            if i:
                x += fnt.getlength(" ") + (gap or 0.0)
            self.draw.text((x, y), text, font=fnt, fill=fill)
            x += fnt.getlength(text)
            pieces.append(text)
        self.lines.append(" ".join(" ".join(pieces).split()))
        return x

    def wrap(
        self, text: str, fnt: ImageFont.FreeTypeFont, width: float, first_width: float | None = None
    ) -> list[str]:
        """Greedy word wrap; the first line may have less room (it follows a label)."""
        words = nfc(text).split()
        out: list[str] = []
        current = ""
        limit = first_width if first_width is not None else width
        for word in words:
            candidate = f"{current} {word}" if current else word
            if fnt.getlength(candidate) <= limit or not current:
                current = candidate
            else:
                out.append(current)
                current = word
                limit = width
        if current:
            out.append(current)
        return out

    def hline(
        self, y: float, x0: float, x1: float, width: int = 3, fill: tuple[int, int, int] = (0, 0, 0)
    ) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=fill, width=width)


def star_points(cx: float, cy: float, outer: float, inner: float | None = None) -> list[tuple[float, float]]:
    """A five-pointed star, point up (the emblem's and the seal's)."""
    inner = inner if inner is not None else outer * 0.382
    pts = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts
