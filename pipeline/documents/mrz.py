"""The machine-readable zone on the back of the chip-based CCCD (ICAO 9303 TD1, 3 × 30).

Check digits make it the most reliable source of id_number, birth date, sex and expiry: a value
whose check digit verifies is trusted over the printed one. OCR confusions (O/0, I/1, ``<``
read as ``K`` or ``«``) are undone per position, since each position is known to be a digit,
a letter or a filler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WEIGHTS = (7, 3, 1)
_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "T": "1",
                           "Z": "2", "S": "5", "G": "6", "B": "8", "A": "4", "<": "0"})


def char_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    return 0  # "<" filler


def check_digit(data: str) -> int:
    return sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(data)) % 10


@dataclass(frozen=True)
class MrzResult:
    document_number: str | None  # 9 digits, check digit verified
    id_number: str | None  # 12 digits from the optional data of line 1, verified
    id_candidate: str | None  # the same digits as read, whether or not they verified
    birth_yymmdd: str | None  # check digit verified
    sex: str | None  # "Nam" / "Nữ"
    expiry_yymmdd: str | None  # check digit verified
    name: str | None  # "NGUYEN VAN AN" (the MRZ has no diacritics)
    composite_ok: bool
    lines: tuple[str, ...]


def clean_line(text: str) -> str:
    """Upper case, no spaces, the usual renderings of ``<`` back to ``<``."""
    text = text.upper().replace("«", "<<").replace("‹", "<").replace("〈", "<")
    text = re.sub(r"\s+", "", text)
    return text


def _digits(s: str) -> str:
    return s.translate(_TO_DIGIT)


def find_mrz_lines(lines: list[str]) -> tuple[str, str, str] | None:
    """Locate the three MRZ lines: one starting ``IDVNM`` and the two after it."""
    cleaned = [clean_line(t) for t in lines]
    for i, line in enumerate(cleaned):
        m = re.search(r"[I1L|T!][DO0]V[NM][MN]", line)
        if m is None or m.start() > 3:
            continue
        rest = [c for c in cleaned[i + 1 :] if len(c) >= 15][:2]
        if len(rest) < 2:
            return None
        return line[m.start() :], rest[0], rest[1]
    return None


def _fix_fillers(line: str, numeric: bool = False) -> str:
    # Runs of "K"/"C"/"(" next to "<" are misread fillers.
    prev = None
    while prev != line:
        prev = line
        line = re.sub(r"(?<=<)[KC(\[{]|[KC(\[{](?=<)", "<", line)
    return line


def parse_mrz(lines: list[str]) -> MrzResult | None:
    found = find_mrz_lines(lines)
    if found is None:
        return None
    l1, l2, l3 = (_fix_fillers(x) for x in found)
    doc_number: str | None = None
    num = _digits(l1[5:14])
    if len(l1) >= 15 and num.isdigit() and check_digit(num) == char_value(_digits(l1[14])):
        doc_number = num
    candidate: str | None = None
    optional = _digits(l1[15:27]) if len(l1) >= 27 else ""
    if re.fullmatch(r"\d{12}", optional):
        candidate = optional
    else:
        m = re.search(r"\d{12}", _digits(l1[15:]))
        candidate = m.group(0) if m else None

    birth = expiry = sex = None
    if len(l2) >= 15:
        b = _digits(l2[0:6])
        if b.isdigit() and check_digit(b) == char_value(_digits(l2[6])):
            birth = b
        s = l2[7]
        sex = {"M": "Nam", "F": "Nữ"}.get(s)
        e = _digits(l2[8:14])
        if e.isdigit() and check_digit(e) == char_value(_digits(l2[14])):
            expiry = e
    composite_ok = False
    if len(l1) >= 30 and len(l2) >= 30:
        composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        composite_ok = check_digit(composite) == char_value(_digits(l2[29]))
    # The full number is trusted only if a check digit covers it: its own (after "<<") or the
    # composite one of line 2. The 9-digit document number alone leaves the first 3 digits open.
    id_number: str | None = None
    if candidate is not None and (doc_number is None or candidate.endswith(doc_number)):
        own = l1[29] if len(l1) >= 30 else ""
        if composite_ok or (own.isdigit() and check_digit(candidate) == int(own)):
            id_number = candidate
    name = None
    letters = re.sub(r"[^A-Z<]", "", l3)
    if letters:
        surname, _, given = letters.partition("<<")
        parts = [p for p in (surname.split("<") + given.split("<")) if p]
        name = " ".join(parts) or None
    return MrzResult(doc_number, id_number, candidate, birth, sex, expiry, name, composite_ok, (l1, l2, l3))


def yymmdd_to_iso(yymmdd: str, *, century: int | None = None, future: bool = False,
                  this_year: int = 2026) -> str | None:
    """Expand a two-digit year; birth dates are in the past, expiry dates in the future."""
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if century is not None:
        year = century + yy
    elif future:
        year = 2000 + yy
    else:
        year = 2000 + yy if 2000 + yy <= this_year else 1900 + yy
    from pipeline.documents.normalize import make_iso

    return make_iso(dd, mm, year)
