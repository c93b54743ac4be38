"""Value normalisation as documents.md prescribes (NFC, spaces, punctuation, ISO dates, areas).

Parsers also undo the OCR confusions that are unambiguous in a known-numeric context
(``O``→``0``, ``l``→``1``), which matters for ids and dates more than anywhere else.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from pipeline.documents.folding import fold

_WS = re.compile(r"\s+")
# Leading/trailing punctuation, dotted leaders and the odd OCR speck around a value.
_EDGE_PUNCT = " \t.,:;·…-–—_/\\|'\"`~*•°()[]{}<>!?"

_DIGIT_CONFUSIONS = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "l": "1", "i": "1", "|": "1",
     "!": "1", "L": "1", "J": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "G": "6", "b": "6",
     "B": "8", "g": "9", "q": "9", "T": "7", "A": "4"}
)


def clean_text(value: str) -> str:
    """NFC, white space collapsed, no leading or trailing punctuation."""
    value = unicodedata.normalize("NFC", value)
    value = _WS.sub(" ", value).strip()
    # Dotted leaders inside a value ("Nguyễn ..... Văn") are OCR'd form lines, not content.
    value = re.sub(r"(?:\s*[.…]){3,}\s*", " ", value)
    return value.strip(_EDGE_PUNCT).strip()


def digits_only(value: str, keep: str = "") -> str:
    """Digits of a numeric field, after undoing letter/digit OCR confusions."""
    translated = value.translate(_DIGIT_CONFUSIONS)
    return "".join(c for c in translated if c.isdigit() or c in keep)


def numeric_token(value: str) -> str:
    """Like :func:`digits_only` but only inside tokens that are mostly digits already.

    Letters in a word that is mostly letters are real letters ("Số 12" must not become "5012").
    """
    out: list[str] = []
    for token in re.split(r"\s+", value):
        if not token:
            continue
        n_digits = sum(c.isdigit() for c in token)
        if n_digits and n_digits * 2 >= len(token.strip(_EDGE_PUNCT)):
            out.append(token.translate(_DIGIT_CONFUSIONS))
        else:
            out.append(token)
    return " ".join(out)


_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_SLOTTED_DMY = re.compile(r"(?<!\d)(\d{1,2})[^\w]{1,4}(\d{1,2})[^\w]{1,4}((?:19|20)\d{2})(?!\d)")
_WORDY = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")


def make_iso(day: int, month: int, year: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_SEP = r"\s*[/.\-!|Il1iJj\\,:;()\[\]{}']{1,2}\s*"  # what OCR makes of a small slash
_CONFUSED_DMY = re.compile(
    r"(?<![\dA-Za-z])([0-9OoIl|]{2})" + _SEP + r"([0-9OoIl|]{2})" + _SEP + r"([0-9OoIl|]{4})(?![\d])"
)


def parse_date(value: str) -> tuple[str | None, bool]:
    """ISO date from ``dd/mm/yyyy`` or ``ngày dd tháng mm năm yyyy``.

    Returns ``(iso, exists)``; ``exists`` is False when the digits were read but the calendar
    date does not exist (then ``iso`` holds the raw ``yyyy-mm-dd`` so the clerk sees it).
    OCR turns the slashes of a small printed date into ``!``, ``I`` or ``1``: a zero-padded
    ``dd?mm?yyyy`` shape is read by position.
    """
    text = unicodedata.normalize("NFC", value)
    m = _DMY.search(text)
    if m is None:
        m = _CONFUSED_DMY.search(text)
        if m is not None:
            parts = [digits_only(g) for g in m.groups()]
            if [len(p) for p in parts] != [2, 2, 4]:
                m = None
            else:
                return _finish(int(parts[0]), int(parts[1]), int(parts[2]))
    if m is None:
        numeric = numeric_token(text)
        m = _DMY.search(numeric)
    if m is None:
        folded = fold(numeric_token(text))
        folded = re.sub(r"(?<=\d) (?=\d)", "", folded)  # "1 5" → "15" after OCR gaps
        m = _WORDY.search(folded)
        if m is None:
            m = re.search(r"(?<!\d)(\d{1,2}) (\d{1,2}) (\d{4})(?!\d)", folded)
    if m is None:
        # A form's "…/…/…" slots: the slashes OCR'd as ",", "„" or lost among the dotted line.
        m = _SLOTTED_DMY.search(text)
    if m is None:
        compact = digits_only(text)
        if len(compact) == 8:
            return _finish(int(compact[:2]), int(compact[2:4]), int(compact[4:]))
        if len(compact) == 9:
            return _nine_digits(compact)
        return None, False
    return _finish(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _nine_digits(compact: str) -> tuple[str | None, bool]:
    """``dd/mm/yyyy`` with one slash lost and the other read as ``1``: ``151112025``."""
    options = []
    if compact[2] == "1":
        options.append((compact[:2], compact[3:5], compact[5:]))
    if compact[4] == "1":
        options.append((compact[:2], compact[2:4], compact[5:]))
    for d, mo, y in options:
        iso = make_iso(int(d), int(mo), int(y))
        if iso is not None and 1900 <= int(y) <= 2100:
            return iso, True
    return None, False


def _finish(day: int, month: int, year: int) -> tuple[str | None, bool]:
    iso = make_iso(day, month, year)
    if iso is None:
        return f"{year:04d}-{month:02d}-{day:02d}", False
    return iso, True


def parse_sex(value: str) -> str | None:
    folded = fold(value)
    words = folded.split()
    if not words:
        return None
    first = words[0]
    if first in {"nam", "male", "m", "narn", "nam1"} or (first.startswith("na") and len(first) <= 4):
        return "Nam"
    if first in {"nu", "female", "f", "nir", "nuu", "nw", "ni", "no"} or first.startswith("nu"):
        return "Nữ"
    return None


def parse_area(value: str) -> str | None:
    """``112,5 m²`` → ``112.5``; Vietnamese thousands dots (``1.234,5``) are dropped."""
    text = numeric_token(value)
    m = re.search(r"\d[\d.,\s]*", text)
    if m is None:
        return None
    number = m.group(0).strip().replace(" ", "")
    number = number.rstrip(".,")
    if "," in number:
        number = number.replace(".", "").replace(",", ".")
    elif number.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", number):
        number = number.replace(".", "")
    return number or None


def parse_name(value: str) -> str:
    """Names keep case and diacritics; only the surroundings are cleaned."""
    value = clean_text(value)
    return re.sub(r"^(?:Ông|Bà|Ong|Ba|Ông/Bà|Ông/ Bà)\s*[:.]?\s+", "", value)
