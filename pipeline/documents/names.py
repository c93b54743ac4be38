"""Repairing OCR'd diacritics in Vietnamese names where the language leaves no doubt.

The family name comes from a short list (Nguyễn alone is ~38 % of the population); when the
OCR'd first word folds to exactly one known family name but its marks differ ("NGUYÊN"), the
marks are restored. Given names are never touched: "Vân" and "Văn" are both real.
"""

from __future__ import annotations

from pipeline.documents.folding import fold
from pipeline.documents.syllables import split_glued

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương", "Quách", "Trương", "Cao",
    "Đào", "Kiều", "Vương", "Tống", "Thái", "Triệu", "Khổng", "Lục", "Mạc", "Đàm",
)
# Folded forms shared by two family names are ambiguous ("Vũ"/"Vu" fold alike, as do none of the
# above, but keep the guard for additions).
_BY_FOLD: dict[str, str | None] = {}
for _name in FAMILY_NAMES:
    _key = fold(_name)
    _BY_FOLD[_key] = None if _key in _BY_FOLD else _name


def _match_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def repair_name(name: str) -> str:
    """Glued syllables split, then the family name's marks restored."""
    words = name.split(" ")
    # Unaccented glued words ("KIMCHI") are split only inside a name that is visibly
    # Vietnamese, so that "MARIA" stays whole.
    vietnamese = any(not w.isascii() for w in words)
    return repair_family_name(" ".join(split_glued(w, allow_ascii=vietnamese) for w in words))


def is_family_name(word: str) -> bool:
    """Whether ``word`` is, marks included, one of the known family names."""
    known = _BY_FOLD.get(fold(word))
    return known is not None and known.lower() == word.lower()


def repair_family_name(name: str) -> str:
    words = name.split(" ")
    if len(words) < 2:
        return name
    known = _BY_FOLD.get(fold(words[0]))
    if known is None:
        return name
    fixed = _match_case(words[0], known)
    if fixed == words[0]:
        return name
    return " ".join([fixed, *words[1:]])
