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

UNIT_WORDS = (
    "thành phố", "thị trấn", "thị xã", "tổ dân phố", "khu phố", "phường", "xã", "quận", "huyện",
    "tỉnh", "đường", "thôn", "ấp", "xóm", "số", "ngõ", "hẻm", "khóm", "khu vực",
)
_UNITS = sorted(((tuple(fold(u).split()), u) for u in UNIT_WORDS), key=lambda x: -len(x[0]))
_PROVINCES = {fold(name).replace(" ", ""): name for name in PROVINCE_CODES.values()}
_PROVINCE_UNITS = {"tỉnh", "thành phố"}


def _same_case(original: str, canonical: str) -> str:
    return canonical[:1].upper() + canonical[1:] if original[:1].isupper() else canonical


def _repair_part(part: str) -> str:
    lead = part[: len(part) - len(part.lstrip())]
    words = part.strip().split(" ")
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
        return lead + " ".join(fixed + rest)
    return part


# "—— _", "¡" between words are scanner dust; a lone hyphen is real ("Bà Rịa - Vũng Tàu").
_SPECK = re.compile(r"(?<=\s)(?![-–](?=\s))[^\w\s,]+(?=\s)")


def repair_address(value: str) -> str:
    value = value.replace(";", ",")  # OCR confuses the two; addresses only use commas
    value = re.sub(r"\s+", " ", _SPECK.sub(" ", value.replace("_", " ")))
    value = re.sub(r"\s+,", ",", value)
    return ",".join(_repair_part(part) for part in value.split(","))
