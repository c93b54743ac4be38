"""Login throttling kept in the database: per username and per client address, exponential
back-off, and a lockout only an administrator lifts (finding: 60 wrong passwords, then the
right one, answered 200)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline import login_throttle as lt
from storage.db.engine import run_in_transaction
from tests.db.fixtures import Database

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _attempt(db: Database, user: str, addr: str, at: datetime) -> int | None:
    """Reserve an attempt; None when allowed, else the Retry-After seconds."""
    try:
        run_in_transaction(db.engine, lambda s: lt.reserve_attempt(s, user, addr, now=at))
    except lt.LoginThrottledError as exc:
        return exc.retry_after
    return None


def test_backoff_grows_exponentially_per_username(db: Database) -> None:
    at = T0
    for _ in range(lt.USER_FREE_TRIES):
        assert _attempt(db, "an.nv", f"10.0.0.{_}", at) is None
    waits = []
    for _ in range(4):
        retry = _attempt(db, "an.nv", "10.0.1.1", at)
        assert retry is not None and retry >= 1
        assert _attempt(db, "an.nv", "10.0.1.2", at + timedelta(seconds=retry - 0.5)) is not None
        at += timedelta(seconds=retry)
        waits.append(retry)
        assert _attempt(db, "an.nv", "10.0.1.3", at) is None
    assert waits == [1, 2, 4, 8]


def test_lockout_until_an_administrator_lifts_it(db: Database) -> None:
    at = T0
    for _ in range(lt.USER_LOCK_AFTER):
        while (retry := _attempt(db, "binh.tt", "10.0.0.1", at)) is not None:
            at += timedelta(seconds=retry)
        at += timedelta(seconds=1)
    later = at + timedelta(days=3)
    assert _attempt(db, "binh.tt", "10.0.0.9", later) == lt.LOCKED_RETRY_AFTER
    assert run_in_transaction(db.engine, lambda s: lt.state(s, "binh.tt", now=later)).locked
    assert run_in_transaction(db.engine, lambda s: lt.unlock(s, "binh.tt", actor="cli:admin"))
    assert _attempt(db, "binh.tt", "10.0.0.9", later) is None


def test_success_clears_the_username_count(db: Database) -> None:
    for _ in range(lt.USER_FREE_TRIES):
        assert _attempt(db, "chi.lt", "10.0.0.1", T0) is None
    run_in_transaction(db.engine, lambda s: lt.record_success(s, "chi.lt", "10.0.0.1"))
    assert _attempt(db, "chi.lt", "10.0.0.1", T0) is None


def test_one_address_trying_many_usernames_is_throttled(db: Database) -> None:
    results = [_attempt(db, f"user{i}", "203.0.113.7", T0) for i in range(lt.ADDRESS_FREE_TRIES + 1)]
    assert results[:-1] == [None] * lt.ADDRESS_FREE_TRIES
    assert results[-1] is not None
    assert _attempt(db, "other", "203.0.113.8", T0) is None  # another address is not affected


def test_names_are_bounded_and_case_folded(db: Database) -> None:
    for _ in range(lt.USER_FREE_TRIES):
        assert _attempt(db, "Dung.PV", "10.0.0.1", T0) is None
    assert _attempt(db, "dung.pv" + " " * 300, "10.0.0.2", T0) is not None


@pytest.mark.parametrize("threads", [12])
def test_parallel_attempts_do_not_slip_through(db: Database, threads: int) -> None:
    """The finding: 146 tries in 12 s from 12 threads. Reservations are serialised in the DB."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda i: _attempt(db, "em.nt", f"10.1.0.{i}", T0), range(threads * 3)))
    assert sum(r is None for r in results) == lt.USER_FREE_TRIES
