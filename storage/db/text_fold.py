"""Accent folding for search: "nguyen van an" finds "Nguyễn Văn An", and "Đông" is "dong".

Staff type names and words without tone marks, or with the wrong ones; folding both the stored
text and the query to lowercase letters without diacritics makes them meet. Unicode decomposition
alone leaves đ/Đ (a letter of its own, not d plus a mark), so they are mapped explicitly. The same
table is the PostgreSQL function ``sohoa_fold`` (migration 0870: ``lower(translate(...))``, an
immutable SQL function any schema owner may create, no ``unaccent`` extension needed), so Python
and the database fold alike; ``tests/dossier/test_search_folding.py`` checks it letter by letter.
"""

from __future__ import annotations

import unicodedata

# Every precomposed Latin letter whose decomposition is one ASCII letter plus marks (Latin-1,
# Latin Extended-A/B, Latin Extended Additional: all of Vietnamese), then đ and Đ, and the eth
# ð/Ð that old Vietnamese encodings and OCR put where Đ was meant. Migration 0870
# froze the same two strings into ``sohoa_fold``; a test keeps them equal.
_LATIN = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


def _base(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


_PAIRS = [
    (ch, _base(ch).lower())
    for ch in map(chr, _LATIN)
    if ch not in "đĐ"
    and len(_base(ch)) == 1
    and _base(ch).isascii()
    and _base(ch).isalpha()
    and _base(ch) != ch
] + [("đ", "d"), ("Đ", "d"), ("ð", "d"), ("Ð", "d")]
FOLD_FROM = "".join(a for a, _ in _PAIRS)
FOLD_TO = "".join(b for _, b in _PAIRS)
# Combining marks (U+0300-U+036F), deleted: text typed or stored decomposed folds the same.
COMBINING_MARKS = "".join(chr(cp) for cp in range(0x300, 0x370))
_TABLE = str.maketrans(FOLD_FROM, FOLD_TO, COMBINING_MARKS)


def fold(text: str) -> str:
    """Lowercase, diacritics and đ removed; NFC first, so precomposed and decomposed agree."""
    return unicodedata.normalize("NFC", text).translate(_TABLE).lower()


def has_marks(text: str) -> bool:
    """True when ``text`` carries a diacritic or đ, i.e. its accents say something."""
    return fold(text) != text.lower()
