"""Character error rate, as the benchmark and tests measure OCR quality."""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein


def normalise_text(text: str) -> str:
    """NFC, all runs of white space (line breaks included) collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(predicted: str, truth: str) -> float:
    """Edit distance over the truth's length, both whitespace-normalised."""
    p, t = normalise_text(predicted), normalise_text(truth)
    if not t:
        return 0.0 if not p else 1.0
    return Levenshtein.distance(p, t) / len(t)
