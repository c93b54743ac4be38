"""Working days across Tết 2027, checked against the ``holidays`` package's own calendar."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from pipeline.dossier.workdays import add_working_days, is_working_day, working_days_between


def _tet_2027() -> list[date]:
    calendar = holidays.country_holidays("VN", years=2027)
    days = sorted(d for d, name in calendar.items() if "lunar new year" in name.lower())
    assert len(days) >= 4, "the VN calendar should list several Tết days"
    return days


def _count_working_days(start: date, end: date) -> int:
    calendar = holidays.country_holidays("VN", years=[start.year, end.year])
    return sum(
        1
        for i in range(1, (end - start).days + 1)
        if (day := start + timedelta(days=i)).weekday() < 5 and day not in calendar
    )


def test_tet_2027_days_are_not_working_days() -> None:
    for day in _tet_2027():
        assert not is_working_day(day)


def test_limit_across_tet_2027_skips_every_holiday() -> None:
    tet = _tet_2027()
    start = tet[0] - timedelta(days=3)
    for limit in (1, 3, 5, 10, 15):
        due = add_working_days(start, limit)
        assert is_working_day(due)
        assert _count_working_days(start, due) == limit
        # at least as many calendar days as the limit plus the Tết weekdays it crossed
        crossed = [d for d in tet if start < d <= due and d.weekday() < 5]
        assert (due - start).days >= limit + len(crossed)
    assert add_working_days(start, 5) > tet[-1]


def test_zero_days_is_the_day_of_receipt_and_between_is_inverse() -> None:
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == date(2026, 12, 7)  # Monday
    due = add_working_days(date(2027, 1, 28), 12)
    assert working_days_between(date(2027, 1, 28), due) == 12
    assert working_days_between(due, date(2027, 1, 28)) == -12


def test_bad_limits_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2027, 1, 1), -1)
