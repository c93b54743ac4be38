"""Building ``PageOcr`` objects from text, clean or with realistic OCR noise, for unit tests."""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from collections.abc import Callable

from ocr.models import Box, Line, PageOcr, Word

_DIGIT_NOISE = {"0": "O", "1": "l", "5": "S", "8": "B"}

# The opening of a CT01 residence form (Tờ khai thay đổi thông tin cư trú) up to its name item.
CT01_HEAD = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ",
    "Kính gửi: Công an xã Phú Mỹ",
    "1. Họ, chữ đệm và tên: NGUYỄN VĂN AN",
]


def make_page(
    lines: list[str], number: int = 1, confidence: float = 0.93, blank: bool = False, boxes: bool = False
) -> PageOcr:
    """A page of text lines; with ``boxes`` its lines carry word boxes and confidences too.

    The boxes are synthetic (width proportional to characters), so geometry-dependent logic
    (word wrap) is tested on real OCR output in the end-to-end test, not here.
    """
    ocr_lines: list[Line] = []
    y = 100
    for text in lines:
        text = unicodedata.normalize("NFC", text)
        words = []
        x = 300
        for w in text.split():
            width = 22 * len(w)
            words.append(Word(w, confidence, Box(x, y, width, 40)))
            x += width + 22
        ocr_lines.append(Line(" ".join(text.split()), confidence, Box(300, y, max(1, x - 322), 40),
                              tuple(words)))
        y += 60
    return PageOcr(
        page_number=number, width=2480, height=3508, dpi=300.0, dpi_estimated=False, blank=blank,
        text="\n".join(ln.text for ln in ocr_lines), lines=ocr_lines if boxes and not blank else [],
        confidence=confidence if not blank else 0.0,
    )


def strip_some_diacritics(word: str, rng: random.Random) -> str:
    """OCR often drops or swaps one tone mark: "Ngày" → "Ngay", "tháng" → "thảng"."""
    nfd = unicodedata.normalize("NFD", word)
    marks = [i for i, c in enumerate(nfd) if unicodedata.combining(c)]
    if not marks:
        return word
    i = rng.choice(marks)
    swap = rng.random() < 0.4
    replacement = rng.choice(["\u0300", "\u0301", "\u0303", "\u0309"]) if swap else ""
    return unicodedata.normalize("NFC", nfd[:i] + replacement + nfd[i + 1 :])


def noisy_label_line(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Noise in the label part (before the first ':'): lost diacritics, a doubled space.

    Values keep their characters: the tests check that labels are found despite noise and that
    the value is then cut out exactly.
    """
    if ":" not in text:
        return text
    label, rest = text.split(":", 1)
    words = [strip_some_diacritics(w, rng) if rng.random() < rate else w for w in label.split(" ")]
    noisy = " ".join(words)
    if rng.random() < 0.3:
        noisy = noisy.replace(" ", "  ", 1)
    return noisy + ":" + rest


def noisy_digits(value: str, rng: random.Random) -> str:
    """One digit OCR'd as its look-alike letter (0→O, 1→l, 5→S, 8→B)."""
    positions = [i for i, c in enumerate(value) if c in _DIGIT_NOISE]
    if not positions:
        return value
    i = rng.choice(positions)
    return value[:i] + _DIGIT_NOISE[value[i]] + value[i + 1 :]


def with_words(page: PageOcr, change: Callable[[Word], Word]) -> PageOcr:
    """``page`` with ``change`` applied to every word (a doubted word, a handwritten one)."""
    lines = [dataclasses.replace(ln, words=tuple(change(w) for w in ln.words)) for ln in page.lines]
    return dataclasses.replace(page, lines=lines)
