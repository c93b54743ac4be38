"""Page furniture shared by the A4 administrative documents: headers, titles, labelled fields,
paragraphs and the signature block, laid out top to bottom with a cursor."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import ImageFont

from tests.datagen.canvas import A4_PX, Canvas, font, pt

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class Style:
    """Per-document typography, drawn once so that one document looks consistent."""

    body_pt: float = 13.0
    value_bold: bool = False
    below_rate: float = 0.2  # how often a value goes on the line under its label
    family: str = "serif"

    @classmethod
    def random(cls, rng: random.Random) -> Style:
        return cls(
            body_pt=rng.choice([12.0, 12.5, 13.0]),
            value_bold=rng.random() < 0.4,
            below_rate=rng.choice([0.0, 0.15, 0.3]),
            family=rng.choice(["serif", "serif", "serif", "lsans"]),
        )


class Form:
    """An A4 page with a writing cursor; every text call is recorded on the canvas in order."""

    def __init__(self, rng: random.Random, style: Style) -> None:
        self.rng = rng
        self.style = style
        self.canvas = Canvas(A4_PX)
        self.left = 330 + rng.randint(-20, 20)
        self.right = A4_PX[0] - 230
        self.y = 220.0 + rng.randint(-15, 15)
        self.seal_anchor: tuple[int, int] | None = None

    # fonts -------------------------------------------------------------------------------------
    def body(self, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return font(self.style.family, self.style.body_pt * scale)

    def bold(self, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return font(f"{self.style.family}-bold", self.style.body_pt * scale)

    def italic(self, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return font("serif-italic", self.style.body_pt * scale)

    def value_font(self) -> ImageFont.FreeTypeFont:
        return self.bold() if self.style.value_bold else self.body()

    @property
    def line_height(self) -> float:
        return pt(self.style.body_pt) * 1.55

    def skip(self, lines: float = 1.0) -> None:
        self.y += self.line_height * lines

    # blocks ------------------------------------------------------------------------------------
    def motto(self, cx: float | None = None, record: bool = True) -> None:
        cx = cx if cx is not None else A4_PX[0] / 2
        f1 = font(f"{self.style.family}-bold", 12.5)
        f2 = font(f"{self.style.family}-bold", 13.5)
        self.canvas.text((cx, self.y), MOTTO_1, f1, align="center", record=record)
        y2 = self.y + pt(12.5) * 1.45
        right = self.canvas.text((cx, y2), MOTTO_2, f2, align="center", record=record)
        width = f2.getlength(MOTTO_2)
        self.canvas.hline(y2 + pt(13.5) * 1.25, right - width, right, width=3)
        self.y = y2 + pt(13.5) * 2.2

    def two_column_header(self, left_lines: list[tuple[str, bool]]) -> None:
        """Issuing agency on the left, national motto on the right, on shared baselines.

        Both columns sit on the same rows, so a printed line is read across them: the truth has
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", as Tesseract reads it.
        """
        top = self.y
        cx_left = self.left + 420
        f_reg = font(self.style.family, 12.5)
        f_bold = font(f"{self.style.family}-bold", 12.5)
        y = top
        for i, (text, is_bold) in enumerate(left_lines):
            fnt = f_bold if is_bold else f_reg
            right = self.canvas.text((cx_left, y), text, fnt, align="center", record=False)
            if i == len(left_lines) - 1 and is_bold:
                w = fnt.getlength(text) * 0.5
                mid = right - fnt.getlength(text) / 2
                self.canvas.hline(y + pt(12.5) * 1.3, mid - w / 2, mid + w / 2, width=3)
            y += pt(12.5) * 1.45
        left_bottom = y
        self.y = top
        self.motto(cx=self.left + 1400, record=False)
        for i, (text, _) in enumerate(left_lines):
            row = f"{text} {(MOTTO_1, MOTTO_2)[i]}" if i < 2 else text
            self.canvas.lines.append(" ".join(row.split()))
        self.y = max(self.y, left_bottom + pt(12.5) * 0.8) + self.line_height * 0.5

    def title(self, text: str, scale: float = 1.3) -> None:
        fnt = self.bold(scale)
        self.canvas.text((A4_PX[0] / 2, self.y), text, fnt, align="center")
        self.y += pt(self.style.body_pt * scale) * 1.5

    def centered(self, text: str, italic: bool = False, bold: bool = False) -> None:
        fnt = self.italic() if italic else self.bold() if bold else self.body()
        self.canvas.text((A4_PX[0] / 2, self.y), text, fnt, align="center")
        self.skip()

    def heading(self, text: str) -> None:
        self.canvas.text((self.left, self.y), text, self.bold())
        self.skip()

    def field(self, label: str, value: str, *, below: bool | None = None, indent: float = 0.0) -> None:
        """``Label: value``; long values wrap, and some values go on the next line as on real forms."""
        if below is None:
            below = self.rng.random() < self.style.below_rate
        x0 = self.left + indent
        lab = self.body()
        val = self.value_font()
        width = self.right - x0
        if below:
            self.canvas.text((x0, self.y), label, lab)
            self.skip()
            for line in self.canvas.wrap(value, val, width - 80):
                self.canvas.text((x0 + 80, self.y), line, val)
                self.skip()
            return
        label_w = lab.getlength(label + " ")
        chunks = self.canvas.wrap(value, val, width, first_width=width - label_w)
        if val.getlength(chunks[0]) > width - label_w:  # a single long word: start on its own line
            self.field(label, value, below=True, indent=indent)
            return
        self.canvas.runs((x0, self.y), [(label, lab), (chunks[0], val)])
        self.skip()
        for line in chunks[1:]:
            self.canvas.text((x0, self.y), line, val)
            self.skip()

    def fields_inline(self, pairs: list[tuple[str, str]], indent: float = 0.0) -> None:
        """Several short fields on one printed line, separated by wide gaps."""
        parts: list[tuple[str, ImageFont.FreeTypeFont]] = []
        x = self.left + indent
        gap = pt(self.style.body_pt) * 1.6
        y = self.y
        pieces: list[str] = []
        for i, (label, value) in enumerate(pairs):
            parts = [(label, self.body()), (value, self.value_font())]
            if i:
                x += gap
            x = self._draw_runs(x, y, parts)
            pieces.append(f"{label} {value}")
        self.canvas.lines.append(" ".join(" ".join(pieces).split()))
        self.skip()

    def _draw_runs(self, x: float, y: float, parts: list[tuple[str, ImageFont.FreeTypeFont]]) -> float:
        for i, (text, fnt) in enumerate(parts):
            if i:
                x += fnt.getlength(" ")
            self.canvas.draw.text((x, y), text, font=fnt, fill=(0, 0, 0))
            x += fnt.getlength(text)
        return x

    def paragraph(self, text: str, first_indent: float = 100.0) -> None:
        fnt = self.body()
        width = self.right - self.left
        lines = self.canvas.wrap(text, fnt, width, first_width=width - first_indent)
        for i, line in enumerate(lines):
            self.canvas.text((self.left + (first_indent if i == 0 else 0), self.y), line, fnt)
            self.skip()

    def signature_block(self, lines: list[tuple[str, str]], name: str, gap_lines: float = 3.2) -> None:
        """Right-hand block: place/date, role, note, a scribbled signature, then the printed name.

        ``lines`` are (text, style) with style one of "italic", "bold", "regular". The seal anchor is
        where a commune stamps: over the left third of the signature.
        """
        cx = self.left + (self.right - self.left) * 0.72
        for text, kind in lines:
            fnt = {"italic": self.italic(), "bold": self.bold(), "regular": self.body()}[kind]
            self.canvas.text((cx, self.y), text, fnt, align="center")
            self.skip()
        sig_top = self.y
        self._scribble(cx, sig_top + self.line_height * gap_lines / 2)
        self.seal_anchor = (int(cx - 170), int(sig_top + self.line_height * gap_lines / 2))
        self.y += self.line_height * gap_lines
        self.canvas.text((cx, self.y), name, self.bold(), align="center")
        self.skip()

    def _scribble(self, cx: float, cy: float) -> None:
        rng = self.rng
        pts = []
        for i in range(40):
            t = i / 39
            x = cx - 200 + 400 * t
            y = cy + 45 * math.sin(t * rng.uniform(9, 16) + rng.uniform(0, 3)) + rng.uniform(-8, 8)
            pts.append((x, y))
        colour = rng.choice([(20, 30, 120), (10, 10, 10), (30, 40, 150)])
        self.canvas.draw.line(pts, fill=colour, width=5, joint="curve")

    def bottom_left(self, text: str, y: float | None = None) -> None:
        yy = y if y is not None else A4_PX[1] - 330
        self.y = max(self.y + self.line_height * 0.5, yy)
        self.canvas.text((self.left, self.y), text, self.body())
        self.skip()
