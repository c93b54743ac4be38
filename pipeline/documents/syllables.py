"""Vietnamese syllable shapes, to undo OCR that glued two syllables of a name ("THÙYANH").

Every Vietnamese word is one syllable: an optional initial consonant and a rhyme from a closed
set. A diacritic-bearing token that is no syllable but splits into syllables exactly one way
(longest first) is two or three words that lost their space.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from pipeline.documents.folding import fold

INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g",
            "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")


def _rhymes() -> frozenset[str]:
    r: set[str] = set("aeiouy")
    for v in "aeiou":
        r.update(v + f for f in ("c", "m", "n", "p", "t", "ng"))
    for v in "aei":
        r.update((v + "ch", v + "nh"))
    r.update(("ai", "ao", "au", "ay", "eo", "eu", "ia", "iu", "oi", "ua", "ui", "uu", "ooc", "oong"))
    r.update("uo" + f for f in ("c", "i", "m", "n", "ng", "p", "t", "u"))
    r.update("ie" + f for f in ("c", "m", "n", "ng", "p", "t", "u"))
    r.update("ye" + f for f in ("m", "n", "t", "u"))
    r.update("oa" + f for f in ("", "c", "ch", "i", "m", "n", "ng", "nh", "o", "p", "t", "y"))
    r.update("oe" + f for f in ("", "n", "t", "o"))
    r.update("uy" + f for f in ("", "a", "ch", "en", "et", "nh", "t", "u"))
    r.update("ue" + f for f in ("", "ch", "nh", "n"))
    r.update("ua" + f for f in ("n", "t", "ng", "y"))
    return frozenset(r)


RHYMES = _rhymes()


def is_syllable(folded: str) -> bool:
    return any(folded.startswith(i) and _is_rhyme(i, folded[len(i):]) for i in INITIALS)


def _is_rhyme(initial: str, rest: str) -> bool:
    """After "qu" the rhyme's glide is the u already written: "quỳnh" is qu + (u)ynh, "quýt"
    qu + (u)yt. Without this every "Quỳnh", one of the commonest given names, was no syllable
    and its name sent to review."""
    return rest in RHYMES or (initial == "qu" and "u" + rest in RHYMES)


@lru_cache(maxsize=4096)
def _segment(folded: str) -> tuple[int, ...] | None:
    """Cut points splitting ``folded`` into syllables, longest first syllable first."""
    if is_syllable(folded):
        return ()
    for cut in range(min(len(folded) - 1, 7), 0, -1):
        if is_syllable(folded[:cut]):
            rest = _segment(folded[cut:])
            if rest is not None:
                return (cut, *(cut + r for r in rest))
    return None


def split_glued(word: str, allow_ascii: bool = False) -> str:
    """``THÙYANH`` → ``THÙY ANH``; anything that is a syllable, or not clearly glued, unchanged."""
    if len(word) < 4 or not word.isalpha() or (word.isascii() and not allow_ascii):
        return word
    folded = fold(word)
    if len(folded) != len(word) or is_syllable(folded):
        return word
    cuts = _segment(folded)
    if not cuts:
        return word
    bounds = (0, *cuts, len(word))
    return " ".join(word[a:b] for a, b in pairwise(bounds))
