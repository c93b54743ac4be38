"""A second, digits-only reading of the dates on a page.

Tesseract's Vietnamese model reads the small digits of a date as letters on a degraded scan
("ÔỞ „11 , 1984" for 03/11/1984 on a CT01 form, "21!01I1968") and gives right dates low word
confidences ("10/01/1996" at 0.56), so the documents stage either cannot parse the date or flags
a right one. Each run of words on a line that is shaped like a date is cut out of the page the
engine read and read again as one line restricted to ``0123456789/.-`` (Tesseract: psm 7,
``tessedit_char_whitelist``), all of a page's runs in one engine call.

The second reading counts only when it is a calendar date (``d/m/yyyy``, 1900–2099). It is
trusted (``AGREED_CONFIDENCE``) only when the first reading agrees: each of its digits is the
second reading's, in order (a slash it took for a "1" aside), and no digit of the second was
read only by it ("ÔỞ" read as "03" is one reading of the day, not two). Otherwise the date gets
a confidence under any review threshold (``DISAGREED_CONFIDENCE``): the clerk checks it.

Every other number of three digits or more (an id, a phone, an enterprise code, a registration
book "07I2025") and each house number after "Số" is read again in the same call and judged
by :func:`judge_number`: the same digits are trusted, other digits of the same count flagged.
CPU: one Tesseract start-up (~0.13 s) per page that has such a run, nothing on the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from ocr.engine import OcrEngine
from ocr.models import Box, Line, Word

DATE_CHARSET = "0123456789/.-"
AGREED_CONFIDENCE = 0.96  # two readings, one restricted to digits, give the same digits
DISAGREED_CONFIDENCE = 0.30  # a date read once, or read twice two ways: review
MIN_CONFIRMED = 6  # digits of the date read alike by both readings, at the least
CLEAN_CONFIDENCE = 0.93  # a date token read cleanly at this confidence is not read again

_CLEAN_DATE = re.compile(r"\d{2}/\d{2}/\d{4}[.,;]?")
_READ_DATE = re.compile(r"(\d{1,2})[/.\-]{1,2}(\d{1,2})[/.\-]{1,2}(\d{4})")


@dataclass(frozen=True)
class DateRun:
    line: int  # index into the page's lines
    start: int  # index of the run's first word
    end: int  # one past its last word

    def words(self, lines: Sequence[Line]) -> tuple[Word, ...]:
        return lines[self.line].words[self.start : self.end]


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _numeric(word: Word) -> bool:
    """Mostly digits (a date part, maybe with a slash read as a letter)."""
    chars = _alnum(word.text)
    digits = sum(c.isdigit() for c in chars)
    return digits >= 1 and digits * 2 >= len(chars)


def _mark(word: Word) -> bool:
    """A separator on its own: "/", "„", "," (a form's printed slash between date slots)."""
    return len(word.text) <= 2 and not _alnum(word.text)


def _short_upper(word: Word) -> bool:
    """Two characters or fewer, none a lower-case letter: digits OCR'd as capitals ("ÔỞ")."""
    chars = _alnum(word.text)
    return 0 < len(chars) <= 2 and not any(c.islower() for c in chars) and not word.text.endswith(":")


_GROUP = re.compile(r"[0-9OoIl|!]+")


def _groups(words: Sequence[Word]) -> list[str]:
    return _GROUP.findall("/".join(w.text for w in words))


def _date_shaped(words: Sequence[Word]) -> bool:
    """Digit groups that could be a day, a month and a year, in that order: "21!01I1968",
    "020712021" (slashes read as ones), "08 ,04 „, 1983" (a form's slots), "ÔỞ „11 , 1984"."""
    groups = _groups(words)
    lengths = [len(g) for g in groups]
    if sum(c.isdigit() for w in words for c in w.text) < 4 or not groups:
        return False
    if len(words) == 1:
        # One word: separators read as digits or letters ("14/11I11997", "020712021"); a phone
        # number has ten digits, a registration book "03/2023" six characters.
        text = words[0].text.strip(".,;:")
        digits = sum(c.isdigit() for c in text)
        first = re.split(r"[/.,\-]", text, maxsplit=1)[0]
        return (
            bool(_ONE_WORD.fullmatch(text))
            and 8 <= len(text) <= 11
            and 6 <= digits <= 9
            and (len(first) <= 2 or first == text)
        )  # "594.060.600" is an amount
    if lengths[0] > 2 or any(n > 2 for n in lengths[1:-1]) or not 2 <= lengths[-1] <= 4:
        return False
    if len(groups) == 2:  # "ÔỞ „11 , 1984": the day read as capitals
        return lengths[-1] == 4 and _short_upper(words[0]) and not _numeric(words[0])
    return len(groups) == 3 and (lengths[-1] == 4 or len(words) == 1)


_ONE_WORD = re.compile(r"[0-9OoIl|!/.,\-]+")
_YEAR_END = re.compile(r"[0-9OoIl|!]{4}[.,;]?$")


def _trim(words: Sequence[Word]) -> Sequence[Word]:
    """The run up to its last word ending in four digits (a year): what follows is the next
    item's number ("3." before "Giới tính")."""
    for k in range(len(words), 0, -1):
        if _YEAR_END.search(words[k - 1].text):
            return words[:k]
    return words


def find_date_runs(lines: Sequence[Line]) -> list[DateRun]:
    """Runs of words shaped like a date that the first reading did not read cleanly."""
    runs: list[DateRun] = []
    for n, line in enumerate(lines):
        heights = sorted(w.box.height for w in line.words if _numeric(w))
        if not heights:
            continue
        tall = 1.6 * heights[len(heights) // 2]
        i, words = 0, line.words
        while i < len(words):
            if not _numeric(words[i]) and not _short_upper(words[i]):
                i += 1
                continue
            j = i
            while (
                j < len(words)
                and words[j].box.height <= tall
                and (_numeric(words[j]) or _mark(words[j]) or (j == i and _short_upper(words[j])))
            ):
                j += 1
            run = _trim(words[i:j])
            if run and _date_shaped(run) and not _clean(run):
                runs.append(DateRun(n, i, i + len(run)))
            i = max(j, i + 1)
    return runs


def _clean(run: Sequence[Word]) -> bool:
    """One word, a zero-padded date read at a high confidence: a second reading adds nothing."""
    return (
        len(run) == 1 and bool(_CLEAN_DATE.fullmatch(run[0].text)) and (run[0].confidence >= CLEAN_CONFIDENCE)
    )


def _union(words: Sequence[Word]) -> Box:
    left = min(w.box.left for w in words)
    top = min(w.box.top for w in words)
    right = max(w.box.left + w.box.width for w in words)
    bottom = max(w.box.top + w.box.height for w in words)
    return Box(left, top, right - left, bottom - top)


def crop_run(grey: np.ndarray, lines: Sequence[Line], run: DateRun) -> np.ndarray:
    """The run's pixels with a margin, not reaching into the words either side of it."""
    words = lines[run.line].words
    box = _union(run.words(lines))
    pad_y = max(4, box.height // 4)
    pad_x = max(6, box.height // 2)
    x0 = box.left - pad_x
    x1 = box.left + box.width + pad_x
    if run.start > 0:
        before = words[run.start - 1].box
        x0 = max(x0, before.left + before.width + 2)
    if run.end < len(words):
        x1 = min(x1, words[run.end].box.left - 2)
    y0, y1 = max(0, box.top - pad_y), min(grey.shape[0], box.top + box.height + pad_y)
    x0, x1 = max(0, x0), min(grey.shape[1], x1)
    crop = grey[y0:y1, x0:x1]
    border = max(10, box.height // 2)
    out = np.full((crop.shape[0] + 2 * border, crop.shape[1] + 2 * border), 255, np.uint8)
    out[border : border + crop.shape[0], border : border + crop.shape[1]] = crop
    return out


def as_date(text: str) -> tuple[str, str] | None:
    """(``dd/mm/yyyy``, its eight digits) when a digits-only reading is a calendar date."""
    compact = text.replace(" ", "")
    m = _READ_DATE.fullmatch(compact)
    digits = re.sub(r"[/.\-]", "", compact)
    if m is not None:
        day, month, year = (int(g) for g in m.groups())
    elif re.fullmatch(r"\d{8}", digits) and re.fullmatch(r"[\d/.\-]+", compact):
        day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])  # "27.061990"
    else:
        return None
    if not 1900 <= year <= 2099:
        return None
    try:
        date(year, month, day)
    except ValueError:
        return None
    value = f"{day:02d}/{month:02d}/{year:04d}"
    return value, re.sub(r"\D", "", value)


def confirmed_digits(first: str, second: str) -> int | None:
    """How many digits of ``second`` (the digits-only reading's digits) the first reading
    confirms, in order, or None when the two disagree: the first reading has a digit the
    second lacks there (other than a slash read as "1" or "7"), or the second has more than
    two digits in a row where the first had none."""
    k, confirmed, slash_ones = 0, 0, 0
    for c in (ch for ch in first if ch.isdigit()):
        found = second.find(c, k)
        if found < 0 or found - k > 2:
            if c in "17" and slash_ones < 2:
                slash_ones += 1
                continue
            return None
        confirmed += 1
        k = found + 1
    return confirmed


_ZERO_LIKE = re.compile(r"(?<=\d)[Oo]|[Oo](?=\d)")
# A stroke alone at a digit group's edge ("l2" for the day 12 in a CT01 box); one between two
# digits, or beside another stroke, is (part of) a slash ("21!01I1968", "22I!03I1987").
_ONE_LIKE = re.compile(r"(?<![\dlI|!])[lI|!](?=\d)|(?<=\d)[lI|!](?![\dlI|!])")


def date_letters_as_digits(text: str) -> str:
    """A date's first reading with the letters Tesseract gives for digits written as those
    digits, so that they count as read: an O beside a digit is a 0, a stroke at the edge of a
    digit group a 1. The first reading saw a digit's shape there; a letter of another shape
    ("ÔỞ" for 03) stays a letter, and that digit counts as read by the digits-only reading
    alone."""
    return _ONE_LIKE.sub("1", _ZERO_LIKE.sub("0", text))


def _first_reading(first: Sequence[Word]) -> str:
    """A run's first reading as one text, its look-alike letters as digits."""
    return date_letters_as_digits("".join(w.text for w in first))


def judge(first: Sequence[Word], reading: str) -> tuple[str, float] | None:
    """(text, confidence) for a run whose first reading is ``first`` and digits-only reading
    ``reading``, or None to keep the first reading as it is (the second is no date).

    Agreed (every digit of the second reading read by the first too, in order, at least
    ``MIN_CONFIRMED`` of them): the date as ``dd/mm/yyyy`` at ``AGREED_CONFIDENCE``. Otherwise
    the second reading at ``DISAGREED_CONFIDENCE``, or the first when it is a date itself: two
    readings of one date that differ are the clerk's to settle.
    """
    parsed = as_date(reading)
    if parsed is None:
        return None
    value, digits = parsed
    first_text = _first_reading(first)
    confirmed = confirmed_digits(first_text, digits)
    read_once = sum(c.isdigit() for c in reading) - (confirmed or 0)
    # A first reading that is a date already keeps its text ("15/5/2021" as printed).
    own = len(first) == 1 and as_date(first[0].text.rstrip(".,;")) is not None
    text = first[0].text if own else value
    if confirmed is not None and confirmed >= MIN_CONFIRMED and read_once <= 0:
        return text, AGREED_CONFIDENCE
    return text, DISAGREED_CONFIDENCE


_HOUSE_NUMBER = re.compile(r"\d{1,4}[,.;]?")
_NUMBER_WORD = re.compile(r"s[oóòỏõọôốồổỗộơớờởỡợ]", re.IGNORECASE)
# A number as Tesseract's Vietnamese model gives it: digits, separators, and the letters it
# takes digits for ("O96050360026", "07I2025": a slash read as I).
_NUMBER_TEXT = re.compile(r"[0-9OoIl|!/.,\-]+")
_CONFUSED = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "!": "1"})
MIN_NUMBER_DIGITS = 3  # "6." is an item's number, "2," a clause's: their misreads cost nothing


def _number_word(text: str) -> bool:
    """A word that is a number of ``MIN_NUMBER_DIGITS`` digits or more: an id, a phone, an
    enterprise code, a registration book, an area."""
    core = text.strip(".,;:()")
    digits = sum(c.isdigit() for c in core)
    letters = sum(c.isalpha() for c in core)
    return bool(_NUMBER_TEXT.fullmatch(core)) and digits >= MIN_NUMBER_DIGITS and digits > letters


def find_number_runs(lines: Sequence[Line], skip: frozenset[Box] = frozenset()) -> list[DateRun]:
    """Numbers to read again: house numbers, a word of one to four digits after "Số" ("Số 199,
    đường …"), and every word that is a number of three digits or more (ids, phones, codes).
    Tesseract reads such digits wrong at its usual confidence ("199," at 0.92 for 190), and right
    ones at a low one ("096050360026" at 0.62); a wrong number is accepted unseen, a right one
    sent to review. Words whose box is in ``skip`` are not: an id read box by box
    (``ocr.boxes``) has had its second reading, and a crop across its box edges reads them as
    digits ("111944161738" for 040191632898)."""
    runs: list[DateRun] = []
    for n, line in enumerate(lines):
        for k, word in enumerate(line.words):
            if word.box in skip:
                continue
            house = (k > 0 and _NUMBER_WORD.fullmatch(line.words[k - 1].text.strip(".:")) is not None
                     and _HOUSE_NUMBER.fullmatch(word.text) is not None)
            if house or _number_word(word.text):
                runs.append(DateRun(n, k, k + 1))
    return runs


def _as_digits(text: str) -> str:
    """A number word with the letters Tesseract takes for digits written as those digits
    ("O9605…" as "09605…"); any other word as it is."""
    return text.translate(_CONFUSED) if _number_word(text) else text


def _with_digits(text: str, digits: str) -> str:
    """``text`` with its digits replaced, in order, by ``digits`` (as many)."""
    it = iter(digits)
    return "".join(next(it) if c.isdigit() else c for c in text)


def judge_number(first: Word, reading: str) -> tuple[str, float] | None:
    """(text, confidence) for a number read first as ``first``, then digits only as ``reading``:
    the same digits are trusted (``AGREED_CONFIDENCE``), the first reading's letters either
    dropped (a slash read as I: "07I2025") or taken for the digits they resemble ("O9605…",
    then written as digits). Other digits of the same count make it ``DISAGREED_CONFIDENCE``
    with the first reading's text: a third reading (:func:`settle_number`) may side with either;
    without it the clerk settles it, as for dates. None when the second reading has no number
    or one of another length (the first stays as it is)."""
    digits = re.sub(r"\D", "", first.text)
    second = re.sub(r"\D", "", reading)
    if not second:
        return None
    if second == digits:
        return first.text, max(first.confidence, AGREED_CONFIDENCE)
    translated = _as_digits(first.text)
    if translated != first.text and re.sub(r"\D", "", translated) == second:
        return translated, max(first.confidence, AGREED_CONFIDENCE)
    if len(second) not in (len(digits), len(re.sub(r"\D", "", translated))):
        return None
    return first.text, DISAGREED_CONFIDENCE


THIRD_SCALE = 2.0  # a disputed run is read a third time from its crop enlarged this much
SETTLED_CONFIDENCE = 0.9  # two readings of three give the same digits


def _enlarged(crop: np.ndarray) -> np.ndarray:
    return cv2.resize(crop, None, fx=THIRD_SCALE, fy=THIRD_SCALE, interpolation=cv2.INTER_CUBIC)


def settle_number(first: Word, second: str, third: str, sure: float = 1.0) -> tuple[str, float] | None:
    """A number whose first two readings differ, read a third time (digits only, from an
    enlarged crop): two of the three giving the same digits settle it at ``SETTLED_CONFIDENCE``,
    written with those digits in the first reading's layout. The two digits-only readings
    overrule the first only when they are as sure as it was (``sure``, the weaker of their
    confidences): they look at the same crop, and a digit cut by its edge ("7416624" read
    "1416624" twice, at 0.0 and 0.45, against 0.79) misleads both. None otherwise."""
    digits = re.sub(r"\D", "", first.text)
    translated = _as_digits(first.text)
    third_digits = re.sub(r"\D", "", third)
    if not third_digits:
        return None
    if third_digits == digits:
        return first.text, SETTLED_CONFIDENCE
    if translated != first.text and re.sub(r"\D", "", translated) == third_digits:
        return translated, SETTLED_CONFIDENCE
    if third_digits != re.sub(r"\D", "", second) or sure < first.confidence:
        return None
    for layout in (first.text, translated):
        if sum(c.isdigit() for c in layout) == len(third_digits):
            return _with_digits(layout, third_digits), SETTLED_CONFIDENCE
    return None


def settle_date(first: Sequence[Word], second: str, third: str) -> tuple[str, float] | None:
    """A date whose first two readings differ, read a third time: the third giving the date the
    first reading is, or the second's when the first read as many digits (one of them
    otherwise), settle it at ``SETTLED_CONFIDENCE``. None otherwise: in particular when digits
    were read by the digits-only readings alone ("ÔỞ „11 , 1984": the day), which are one
    engine's two looks at the same pixels, not two readings."""
    read3 = as_date(third)
    if read3 is None:
        return None
    own = as_date(first[0].text.rstrip(".,;")) if len(first) == 1 else None
    if own is not None and own[0] == read3[0]:
        return first[0].text, SETTLED_CONFIDENCE
    read2 = as_date(second)
    if read2 is None or read2[0] != read3[0]:
        return None
    if sum(c.isdigit() for c in _first_reading(first)) != sum(c.isdigit() for c in second):
        return None
    return read3[0], SETTLED_CONFIDENCE


def reread_dates(
    grey: np.ndarray, dpi: float, lines: list[Line], engine: OcrEngine, workdir: Path,
    boxed: frozenset[Box] = frozenset(),
) -> list[Line]:
    """``lines`` with each date-shaped run, and each number, read again, digits only,
    on ``grey`` (the pixels the first reading saw) and replaced as :func:`judge` and
    :func:`judge_number` say; one engine call per page, and one more for the runs whose two
    readings differ: those are read a third time, enlarged (:func:`settle_date`,
    :func:`settle_number`). Numbers in ``boxed`` (read box by box already) are left alone."""
    dates = find_date_runs(lines)
    taken = {(r.line, k) for r in dates for k in range(r.start, r.end)}
    numbers = [r for r in find_number_runs(lines, boxed) if (r.line, r.start) not in taken]
    runs = dates + numbers
    if not runs:
        return lines
    crops = [crop_run(grey, lines, run) for run in runs]
    readings = engine.read_lines(crops, dpi, workdir, "dates", DATE_CHARSET)
    verdicts: list[tuple[str, float] | None] = []
    for k, (run, reading) in enumerate(zip(runs, readings, strict=True)):
        words = run.words(lines)
        if reading is None:
            verdicts.append(None)
        elif k >= len(dates):
            verdicts.append(judge_number(words[0], reading[0]))
        else:
            verdicts.append(judge(words, reading[0]))
    disputed = [k for k, v in enumerate(verdicts) if v is not None and v[1] == DISAGREED_CONFIDENCE]
    if disputed:
        thirds = engine.read_lines([_enlarged(crops[k]) for k in disputed], dpi * THIRD_SCALE, workdir,
                                   "third", DATE_CHARSET)
        for k, third in zip(disputed, thirds, strict=True):
            second = readings[k]
            if third is None or second is None:
                continue
            words = runs[k].words(lines)
            settled = (settle_number(words[0], second[0], third[0], min(second[1], third[1]))
                       if k >= len(dates)
                       else settle_date(words, second[0], third[0]))
            if settled is not None:
                verdicts[k] = settled
    out = list(lines)
    # From the right, so that the word indices of a line's earlier runs stay valid.
    for run, verdict in sorted(zip(runs, verdicts, strict=True), key=lambda r: (r[0].line, -r[0].start)):
        if verdict is None:
            continue
        words = run.words(lines)
        text, conf = verdict
        word = Word(text, conf, _union(words), any(w.handwritten for w in words))
        line = out[run.line]
        new = (*line.words[: run.start], word, *line.words[run.end :])
        out[run.line] = replace(
            line,
            text=" ".join(w.text for w in new),
            words=new,
            confidence=sum(w.confidence for w in new) / len(new),
        )
    return out
