"""Family 2 drawing: a page that prints rows of label/value runs and records each row's text.

Written apart from family 1's canvas/form code on purpose: other fonts (DejaVu Serif labels,
values typed in a monospace or sans face, or "handwritten"), dotted fill-in lines after values,
inline runs ("Ông/Bà …, CCCD số …") and two-column rows.

Handwriting: no Debian font that imitates handwriting covers Vietnamese diacritics
(fonts-dancingscript and fonts-comic-neue lack them), so handwritten values are drawn glyph by
glyph in an oblique face with per-glyph size, slant, baseline and spacing jitter, in blue ink;
digits may use Comic Neue when installed.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DPI = 300
A4 = (2480, 3508)
_FACES = {
    "label": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "label-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "label-cond": "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
    "label-italic": "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-Italic.ttf",
    "mono": "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
    "mono-bold": "/usr/share/fonts/truetype/liberation2/LiberationMono-Bold.ttf",
    "sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "sans-bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "sans-italic": "/usr/share/fonts/truetype/liberation2/LiberationSans-Italic.ttf",
    "times": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "times-bold": "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "hand": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Oblique.ttf",
}
_HAND_DIGITS = "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf"
INK = (25, 25, 25)
BLUE_INK = (28, 45, 150)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=256)
def face(name: str, points: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_FACES[name], max(6, round(points * DPI / 72)))


@lru_cache(maxsize=64)
def _digit_face(points: float) -> ImageFont.FreeTypeFont | None:
    if not Path(_HAND_DIGITS).is_file():
        return None
    return ImageFont.truetype(_HAND_DIGITS, max(6, round(points * DPI / 72)))


@dataclass(frozen=True)
class Run:
    """One piece of a row: text in a face; ``fill`` dots after it up to ``dots_to`` (px)."""

    text: str
    style: str = "label"  # a face name, or "hand"
    points: float = 12.0
    x: float | None = None  # absolute start; None continues after the previous run
    dots_to: float | None = None
    gap: float = 0.35  # space before the run, in ems, when it continues


@dataclass
class Sheet:
    size: tuple[int, int] = A4
    paper: tuple[int, int, int] = (255, 255, 255)
    rng: random.Random = field(default_factory=random.Random)
    rows: list[str] = field(default_factory=list)
    handwritten: bool = False  # set when any run was handwritten

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", self.size, self.paper)
        self.draw = ImageDraw.Draw(self.image)

    # ----- primitives
    def width_of(self, text: str, style: str, points: float) -> float:
        return float(face("hand" if style == "hand" else style, points).getlength(nfc(text)))

    def _plain(
        self, x: float, y: float, text: str, style: str, points: float, fill: tuple[int, int, int] = INK
    ) -> float:
        fnt = face(style, points)
        text = nfc(text)
        self.draw.text((x, y), text, font=fnt, fill=fill)
        return x + float(fnt.getlength(text))

    def _hand(self, x: float, y: float, text: str, points: float) -> float:
        """Glyph by glyph with jitter: what a clerk's pen does to a typed string."""
        self.handwritten = True
        rng = self.rng
        size = points * rng.uniform(1.05, 1.2)
        phase = rng.uniform(0, math.pi * 2)
        for i, ch in enumerate(nfc(text)):
            if ch == " ":
                x += face("hand", size).getlength(" ") * rng.uniform(0.9, 1.4)
                continue
            glyph_pts = size * rng.uniform(0.93, 1.07)
            fnt = _digit_face(glyph_pts) if ch.isdigit() and rng.random() < 0.6 else None
            fnt = fnt or face("hand", glyph_pts)
            w = int(fnt.getlength(ch)) + 12
            h = int(glyph_pts * DPI / 72 * 1.6) + 12
            tile = Image.new("L", (w, h), 0)
            ImageDraw.Draw(tile).text((6, 6), ch, font=fnt, fill=255)
            tile = tile.rotate(rng.uniform(-7, 7), resample=Image.Resampling.BICUBIC, expand=True)
            dy = 6 * math.sin(phase + i * 0.45) + rng.uniform(-2.5, 2.5)
            ink = Image.new("RGB", tile.size, BLUE_INK)
            self.image.paste(ink, (round(x - 6), round(y - 6 + dy - size * 0.12)), tile)
            x += fnt.getlength(ch) * rng.uniform(0.96, 1.1)
        return x

    def dots(self, x0: float, x1: float, baseline: float, step: int = 9) -> None:
        for x in range(int(x0), int(x1), step):
            self.draw.ellipse((x, baseline - 1, x + 2, baseline + 1), fill=(70, 70, 70))

    # ----- rows
    def row(self, y: float, runs: list[Run], x0: float = 190, record: bool = True) -> float:
        """Draw the runs left to right on one line; returns the right edge."""
        x = x0
        texts: list[str] = []
        for run in runs:
            if run.x is not None:
                x = run.x
            elif texts:
                x += face("label", run.points).getlength(" ") * run.gap * 3
            points = run.points
            limit = self.size[0] - 130  # the printable width: a long value is set smaller
            while points > 7 and x + self.width_of(run.text, run.style, points) * (
                1.15 if run.style == "hand" else 1.0
            ) > limit:
                points -= 0.5
            if run.style == "hand":
                end = self._hand(x, y, run.text, points)
            else:
                end = self._plain(x, y, run.text, run.style, points)
            if run.dots_to is not None and run.dots_to > end + 20:
                self.dots(end + 8, run.dots_to, y + run.points * DPI / 72 * 0.95)
            x = end
            if run.text.strip():
                texts.append(run.text)
        if record and texts:
            self.rows.append(nfc(" ".join(" ".join(texts).split())))
        return x

    def centred(
        self,
        y: float,
        text: str,
        style: str = "label-bold",
        points: float = 13.0,
        cx: float | None = None,
        record: bool = True,
    ) -> None:
        cx = self.size[0] / 2 if cx is None else cx
        w = self.width_of(text, style, points)
        self._plain(cx - w / 2, y, text, style, points)
        if record:
            self.rows.append(nfc(text))

    def rule(self, x0: float, x1: float, y: float, width: int = 2) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=INK, width=width)

    def box(
        self, xy: tuple[float, float, float, float], width: int = 3, outline: tuple[int, int, int] = INK
    ) -> None:
        self.draw.rectangle(xy, outline=outline, width=width)

    @property
    def text(self) -> str:
        return "\n".join(self.rows)


def guilloche(img: Image.Image, rng: random.Random, colour: tuple[int, int, int], spacing: int = 38) -> None:
    """Security-paper wave lines across the whole page (birth certificate, land certificate)."""
    draw = ImageDraw.Draw(img)
    w, h = img.size
    amp, period, phase = rng.uniform(10, 22), rng.uniform(180, 320), rng.uniform(0, 6.3)
    for y0 in range(-spacing, h + spacing, spacing):
        pts = [(x, y0 + amp * math.sin(phase + x / period * 2 * math.pi)) for x in range(0, w + 20, 20)]
        draw.line(pts, fill=colour, width=2)


def border(img: Image.Image, colour: tuple[int, int, int], inset: int = 90, width: int = 10) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    draw.rectangle((inset, inset, w - inset, h - inset), outline=colour, width=width)
    draw.rectangle((inset + 22, inset + 22, w - inset - 22, h - inset - 22), outline=colour, width=3)
