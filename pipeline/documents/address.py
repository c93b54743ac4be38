"""Repairing OCR'd diacritics in the administrative words of an address.

Each comma-separated part of a Vietnamese address starts with its unit ("phường", "quận",
"thành phố", "tỉnh", "đường", "thôn"...). Those words come from a closed list, so a part whose
first words fold to one of them gets the proper spelling back ("quân" → "quận", "thanh phô" →
"thành phố"); a province name after "tỉnh"/"thành phố" likewise. Only the start of a part is
touched: "phường Phương Mai" keeps its "Phương".
"""

from __future__ import annotations

import re

from pipeline.documents.folding import fold
from pipeline.documents.provinces import PROVINCE_CODES
from pipeline.documents.syllables import is_syllable

UNIT_WORDS = (
    "thành phố", "thị trấn", "thị xã", "tổ dân phố", "khu phố", "phường", "xã", "quận", "huyện",
    "tỉnh", "đường", "thôn", "ấp", "xóm", "số", "ngõ", "hẻm", "khóm", "khu vực",
)
_UNITS = sorted(((tuple(fold(u).split()), u) for u in UNIT_WORDS), key=lambda x: -len(x[0]))
_PROVINCES = {fold(name).replace(" ", ""): name for name in PROVINCE_CODES.values()}
_PROVINCE_UNITS = {"tỉnh", "thành phố"}


def _same_case(original: str, canonical: str) -> str:
    return canonical[:1].upper() + canonical[1:] if original[:1].isupper() else canonical


def _unglue_unit(words: list[str]) -> list[str]:
    """A part whose first word is debris glued to the start of a two-word unit, the unit's
    first letters lost in it ("utành phố Huế", "22/+2/zodqành phố Cà Mau": the OCR line ran
    another field's value into "thành"): the unit word back, when the debris ends with the
    last three letters of its first word and the rest of the unit follows exactly."""
    if len(words) < 2 or is_syllable(fold(words[0])):
        return words
    head = fold(words[0]).replace(" ", "")
    for unit_words, unit in _UNITS:
        n = len(unit_words)
        if n < 2 or len(words) <= n - 1 or len(unit_words[0]) < 4:
            continue
        if tuple(fold(w) for w in words[1:n]) == unit_words[1:] and head.endswith(unit_words[0][-3:]) \
                and head != unit_words[0]:
            return [unit.split(" ")[0], *words[1:]]
    return words


def _repair_part(part: str) -> str:
    lead = part[: len(part) - len(part.lstrip())]
    words = _unglue_unit(part.strip().split(" "))
    folded = [fold(w) for w in words]
    for unit_words, unit in _UNITS:
        n = len(unit_words)
        if tuple(folded[:n]) != unit_words:
            continue
        fixed = _same_case(words[0], unit).split(" ")
        rest = words[n:]
        if unit in _PROVINCE_UNITS and rest:
            name = _PROVINCES.get("".join(fold(w) for w in rest).replace(" ", ""))
            if name is not None:
                rest = name.split(" ")
        return lead + " ".join(fixed + _title_inside(rest))
    return part


def _title_inside(words: list[str]) -> list[str]:
    """A place's name after its unit word capitalises every syllable ("đường Nguyễn Văn Cừ"):
    a lower-case word between two capitalised ones is a misread capital ("Nguyễn văn Cừ")."""
    out = list(words)
    for k in range(1, len(out) - 1):
        if (out[k][:1].islower() and out[k].isalpha() and out[k - 1][:1].isupper()
                and out[k + 1][:1].isupper()):
            out[k] = out[k][:1].upper() + out[k][1:]
    return out


# "—— _", "¡" between words are scanner dust; a lone hyphen is real ("Bà Rịa - Vũng Tàu").
_SPECK = re.compile(r"(?<=\s)(?![-–](?=\s))[^\w\s,]+(?=\s)")


# A full stop between two parts of an address is a comma OCR'd small ("Số 10. đường Trần Phú"):
# addresses separate their parts with commas, and a stop after an abbreviation ("P.", "TP.")
# is followed by a capitalised name, not by a lower-case unit word.
_STOP_FOR_COMMA = re.compile(r"(?<=\S)\.(?=\s+[a-zđà-ỹ])")
_ABBREVIATION = re.compile(r"(?:^|\s)[^\W\d_]{1,2}$|(?:^|\s)(?:TP|TX|TT|KP|KV)$", re.IGNORECASE)


def _stops_to_commas(value: str) -> str:
    out, last = [], 0
    for m in _STOP_FOR_COMMA.finditer(value):
        if _ABBREVIATION.search(value[: m.start()]):
            continue
        out.append(value[last : m.start()] + ",")
        last = m.end()
    return "".join(out) + value[last:]


def repair_address(value: str) -> str:
    value = value.replace(";", ",")  # OCR confuses the two; addresses only use commas
    value = _stops_to_commas(value)
    value = re.sub(r"\s+", " ", _SPECK.sub(" ", value.replace("_", " ")))
    value = re.sub(r"\s+,", ",", value)
    return ",".join(_repair_part(part) for part in value.split(","))
