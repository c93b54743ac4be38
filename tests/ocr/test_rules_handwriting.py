"""Character boxes and dotted leaders lifted before OCR; handwritten-looking words marked.

Rendered pages with known content, read by the real Tesseract: the boxed id must come back as its
12 digits (box edges used to read as "1"), a value on a dotted line without the dots, the dot
below "ộ" kept; jittered glyphs (a pen's baseline) are marked handwritten, a typeface is not.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from config.settings import OcrSettings
from ocr.boxes import find_box_rows, reread_boxes
from ocr.engine import engine_for
from ocr.handwriting import group_score, mark_handwritten
from ocr.models import Box, Line, Word
from ocr.preprocess.rules import lift_rules, remove_rules
from tests.ocr.render import SERIF

DPI = 300
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _font(pt: float, path: str = SERIF) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, round(pt * DPI / 72))


def _form() -> np.ndarray:
    """Two rows of a CT01-like form: a boxed 12-digit id and a value typed on a dotted line."""
    img = Image.new("L", (2300, 500), 255)
    d = ImageDraw.Draw(img)
    d.text((60, 60), "4. Số định danh cá nhân:", font=_font(12), fill=0)
    left, top, w, h = 860, 40, 90, 100
    for i, ch in enumerate("036095001234"):
        d.rectangle((left + i * w, top, left + (i + 1) * w, top + h), outline=0, width=4)
        d.text((left + i * w + 28, top + 22), ch, font=_font(13, SANS), fill=0)
    d.text((60, 260), "14. Nội dung đề nghị:", font=_font(12), fill=0)
    end = 60 + d.textlength("14. Nội dung đề nghị: ", font=_font(12))
    d.text((end, 255), "Tách hộ", font=_font(13, SANS), fill=0)
    for x in range(int(end) - 20, 2200, 9):  # the dotted fill-in line, under and after the value
        d.ellipse((x, 318, x + 3, 321), fill=60)
    return np.array(img)


def _ocr(grey: np.ndarray, tmp_path: Path) -> list[str]:
    result = engine_for(OcrSettings()).recognise(grey, DPI, tmp_path, "t")
    return [line.text for line in result.lines]


def test_boxed_digits_read_without_box_edges(tmp_path: Path) -> None:
    raw = " ".join(_ocr(_form(), tmp_path))
    text = " ".join(_ocr(remove_rules(_form(), DPI), tmp_path))
    digits = "".join(ch for ch in text.split("nhân:")[-1].split("14.")[0] if ch.isdigit())
    assert digits == "036095001234", (raw, text)


def test_box_row_found_and_read_as_one_digit_per_box(tmp_path: Path) -> None:
    form = _form()
    rows = find_box_rows(form, DPI)
    assert len(rows) == 1 and len(rows[0].edges) == 13
    cleaned = remove_rules(form, DPI)
    result = engine_for(OcrSettings()).recognise(cleaned, DPI, tmp_path, "t")
    lines = reread_boxes(form, cleaned, DPI, result.lines, tmp_path)
    assert any(line.text.endswith("036095001234") for line in lines), [ln.text for ln in lines]
    assert find_box_rows(remove_rules(form, DPI), DPI) == []  # edges lifted: nothing left to find
    # The rule removal's vertical strokes, handed on, find the same rows.
    unruled = lift_rules(form, DPI)
    assert np.array_equal(unruled.grey, cleaned)
    assert find_box_rows(form, DPI, unruled.vertical) == rows


def test_dotted_leader_gone_and_dot_below_kept(tmp_path: Path) -> None:
    cleaned = remove_rules(_form(), DPI)
    row = cleaned[300:330, 1400:2200]  # dots only, right of the value
    assert (row < 128).sum() == 0
    text = " ".join(_ocr(cleaned, tmp_path))
    assert "Tách hộ" in text
    assert "..." not in text.split("Tách hộ")[-1]


def test_text_without_rules_untouched() -> None:
    img = Image.new("L", (1200, 200), 255)
    ImageDraw.Draw(img).text((40, 40), "Nguyễn Thị Lụa, ấp Phú Lợi.", font=_font(13), fill=0)
    grey = np.array(img)
    assert np.array_equal(remove_rules(grey, DPI), grey)


def _word_image(text: str, hand: bool, seed: int) -> tuple[np.ndarray, Box]:
    """``text`` typeset on one baseline, or glyph by glyph with a pen's wander and size changes."""
    rng = random.Random(seed)
    img = Image.new("L", (1400, 220), 255)
    x, phase = 40.0, rng.uniform(0, 6.3)
    for i, ch in enumerate(text):
        size = 12.0 * (rng.uniform(0.93, 1.07) if hand else 1.0)
        f = _font(size, SANS)
        dy = (6 * math.sin(phase + i * 0.45) + rng.uniform(-2.5, 2.5)) if hand else 0.0
        # Baseline-aligned: PIL's "ls" anchor puts the glyph's baseline at y.
        ImageDraw.Draw(img).text((x, 140 + dy), ch, font=f, fill=0, anchor="ls")
        x += f.getlength(ch) * (rng.uniform(0.96, 1.1) if hand else 1.0)
    return np.array(img), Box(30, 60, int(x) - 20, 110)


def test_jittered_glyphs_marked_handwritten_typeset_not() -> None:
    marked = {True: 0, False: 0}
    for hand in (True, False):
        for seed in range(8):
            grey, box = _word_image("0912345678" if seed % 2 else "HOANG", hand, seed)
            line = Line("w", 0.9, box, (Word("0912345678" if seed % 2 else "HOANG", 0.9, box),))
            marked[hand] += mark_handwritten(grey, [line])[0].words[0].handwritten
    assert marked[False] == 0
    assert marked[True] >= 6


def test_too_few_glyphs_are_not_judged() -> None:
    assert group_score([(100, 30), (108, 30)], digits=True) is None


def _leader_mask_whole_page(ink: np.ndarray, dpi: float) -> np.ndarray:
    """The leader mask computed over the whole page at once (how it was first written)."""
    import cv2

    from ocr.preprocess import rules

    dot = max(2, round(rules.DOT_MAX_IN * dpi))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    small = (h <= dot) & ((w <= dot) | (w >= 3 * h))
    small[0] = False
    dots = np.where(small[labels], 255, 0).astype(np.uint8)
    reach = max(3, round(rules.DOT_GAP_IN * dpi))
    near = cv2.dilate(cv2.bitwise_and(ink, cv2.bitwise_not(dots)),
                      cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * reach + 1)))
    joined = cv2.morphologyEx(dots, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1)))
    run = max(reach * 2, round(rules.LEADER_MIN_IN * dpi))
    runs = cv2.morphologyEx(joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    hit = np.zeros(count, dtype=bool)
    hit[np.unique(labels[cv2.bitwise_and(runs, dots) > 0])] = True
    hit[0] = False
    hit[np.unique(labels[cv2.bitwise_and(near, dots) > 0])] = False
    return np.where(hit[labels], 255, 0).astype(np.uint8)


def _dotty_page(seed: int) -> np.ndarray:
    """Leaders of every length and spacing, at the page's edges too, beside text with dots
    below and above letters, and scattered specks: where a band-limited mask could go wrong."""
    rng = random.Random(seed)
    img = Image.new("L", (1700, 1400), 255)
    d = ImageDraw.Draw(img)
    y = 0
    while y < 1380:
        x = rng.choice([0, 40, 300])
        text = "Họ tên: Nguyễn Thị Lụa, ấp Phú Lợi, xã Ịa"
        d.text((x + 10, y), text, font=_font(rng.choice([9, 12])), fill=0)
        step, size = rng.choice([(6, 2), (9, 3), (12, 3), (20, 3), (8, 5)])
        start = rng.randrange(600, 900)
        stop = rng.choice([start + rng.randrange(60, 140), 1700])
        dy = y + rng.randrange(20, 60)
        for dx in range(start, stop, step):
            d.ellipse((dx, dy, dx + size, dy + size), fill=rng.choice([0, 60, 120]))
        y += rng.randrange(45, 110)
    for _ in range(400):
        sx, sy = rng.randrange(1700), rng.randrange(1400)
        d.rectangle((sx, sy, sx + rng.randrange(3), sy + rng.randrange(3)), fill=0)
    return np.array(img)


def test_band_limited_leader_mask_equals_whole_page() -> None:
    from ocr.preprocess.rules import binary, leader_mask

    pages = [_dotty_page(seed) for seed in range(6)] + [_form()]
    for grey in pages:
        ink = binary(grey)
        want = _leader_mask_whole_page(ink, DPI)
        assert want.any()  # the page has leaders to find
        assert np.array_equal(leader_mask(ink, DPI), want)
    blank = binary(np.full((400, 600), 255, np.uint8))
    assert not leader_mask(blank, DPI).any()
