"""A misread date becomes a review warning, never an exception."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.documents import validate as v


@pytest.mark.parametrize("iso", ["1990-13-01", "2001-02-30", "1990-00-10", "19x0-01-01"])
def test_impossible_dates_are_flagged(iso: str) -> None:
    assert v.check_date(iso, True) == ["ngày không tồn tại (date does not exist)"]


def test_real_dates_pass_and_future_birth_is_flagged() -> None:
    assert v.check_date("1990-12-01", True, past=True, today=date(2026, 11, 22)) == []
    assert v.check_date("2030-01-01", True, past=True, today=date(2026, 11, 22)) != []
