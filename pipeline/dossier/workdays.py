"""Working days in Vietnam: weekends and public holidays (Tết included) from ``holidays``.

Time limits of administrative procedures are stated in working days (ngày làm việc). The
calendar comes from the ``holidays`` package (its ``VN`` calendar has the lunar Tết days, Hùng
Kings' day, 30/4, 1/5, 2/9 and their substitute days), never from a table kept here.

Counting rule: the day of receipt is day 0; the time limit is the N-th working day after it, so a
dossier received on a Friday with a 3-day limit is due on Wednesday. A limit of 0 ("trong ngày")
is due the day it was received.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SATURDAY = 5
MAX_DAYS = 3650


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_holiday(day: date) -> bool:
    return day in _calendar(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and not is_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
    if days < 0 or days > MAX_DAYS:
        raise ValueError("working days must be between 0 and 3650")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
