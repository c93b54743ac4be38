"""Numbers and dates written out in Vietnamese words, as civil-status forms print them beside the
figures ("ghi bằng chữ") so that a date or an area cannot be altered."""

from __future__ import annotations

from datetime import date

_UNITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _below_100(n: int, in_compound: bool) -> str:
    """0-99; ``in_compound`` when preceded by hundreds (so 5 -> "linh năm", 0 -> "")."""
    if n == 0:
        return ""
    if n < 10:
        return f"linh {_UNITS[n]}" if in_compound else _UNITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{_UNITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        tail = "lăm"
    elif unit == 1 and tens > 1:
        tail = "mốt"
    elif unit == 4 and tens > 1:
        tail = "tư"
    else:
        tail = _UNITS[unit]
    return f"{head} {tail}"


def _below_1000(n: int, in_compound: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not in_compound:
        return _below_100(rest, False)
    parts = [f"{_UNITS[hundreds]} trăm"]
    if rest:
        parts.append(_below_100(rest, True))
    return " ".join(parts)


def number_words(n: int) -> str:
    """0 <= n < 1,000,000: 2015 -> "hai nghìn không trăm mười lăm", 108 -> "một trăm linh tám"."""
    if not 0 <= n < 1_000_000:
        raise ValueError(n)
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _below_1000(rest, False)
    head = f"{_below_1000(thousands, False)} nghìn"
    return head if rest == 0 else f"{head} {_below_1000(rest, True)}"


def date_words(d: date) -> str:
    """ "Ngày mười hai tháng ba năm hai nghìn không trăm hai mươi tư"."""
    month = {4: "tư"}.get(d.month, number_words(d.month))
    day = number_words(d.day)
    if d.day <= 10:
        day = f"mùng {day}" if d.day < 10 else "mùng mười"
    return f"Ngày {day} tháng {month} năm {number_words(d.year)}"


def area_words(printed: str) -> str:
    """ "112,5" -> "Một trăm mười hai phẩy năm mét vuông"."""
    whole, _, frac = printed.partition(",")
    text = number_words(int(whole))
    if frac:
        text += " phẩy " + " ".join(_UNITS[int(c)] for c in frac)
    return text[0].upper() + text[1:] + " mét vuông"
