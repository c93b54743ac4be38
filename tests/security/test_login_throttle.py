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
    for _ in range(lt.DEFAULT_POLICY.user_free_tries):
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
    for _ in range(lt.DEFAULT_POLICY.user_lock_after):
        while (retry := _attempt(db, "binh.tt", "10.0.0.1", at)) is not None:
            at += timedelta(seconds=retry)
        at += timedelta(seconds=1)
    later = at + timedelta(days=3)
    assert _attempt(db, "binh.tt", "10.0.0.9", later) == lt.DEFAULT_POLICY.locked_retry_after
    assert run_in_transaction(db.engine, lambda s: lt.state(s, "binh.tt", now=later)).locked
    assert run_in_transaction(db.engine, lambda s: lt.unlock(s, "binh.tt", actor="cli:admin"))
    assert _attempt(db, "binh.tt", "10.0.0.9", later) is None


def test_success_clears_the_username_count(db: Database) -> None:
    for _ in range(lt.DEFAULT_POLICY.user_free_tries):
        assert _attempt(db, "chi.lt", "10.0.0.1", T0) is None
    run_in_transaction(db.engine, lambda s: lt.record_success(s, "chi.lt", "10.0.0.1"))
    assert _attempt(db, "chi.lt", "10.0.0.1", T0) is None


def test_one_address_trying_many_usernames_is_throttled(db: Database) -> None:
    free = lt.DEFAULT_POLICY.address_free_tries
    results = [_attempt(db, f"user{i}", "203.0.113.7", T0) for i in range(free + 1)]
    assert results[:-1] == [None] * lt.DEFAULT_POLICY.address_free_tries
    assert results[-1] is not None
    assert _attempt(db, "other", "203.0.113.8", T0) is None  # another address is not affected


def test_names_are_bounded_and_case_folded(db: Database) -> None:
    for _ in range(lt.DEFAULT_POLICY.user_free_tries):
        assert _attempt(db, "Dung.PV", "10.0.0.1", T0) is None
    assert _attempt(db, "dung.pv" + " " * 300, "10.0.0.2", T0) is not None


@pytest.mark.parametrize("threads", [12])
def test_parallel_attempts_do_not_slip_through(db: Database, threads: int) -> None:
    """The finding: 146 tries in 12 s from 12 threads. Reservations are serialised in the DB."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda i: _attempt(db, "em.nt", f"10.1.0.{i}", T0), range(threads * 3)))
    assert sum(r is None for r in results) == lt.DEFAULT_POLICY.user_free_tries


def test_the_numbers_are_the_operators_settings(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SOHOA_LOGIN__*`` sets the free tries, the back-off cap and the lockout."""
    from config.settings import load_settings

    monkeypatch.setenv("SOHOA_LOGIN__USER_FREE_TRIES", "1")
    monkeypatch.setenv("SOHOA_LOGIN__MAX_DELAY", "5")
    monkeypatch.setenv("SOHOA_LOGIN__USER_LOCK_AFTER", "6")
    monkeypatch.setenv("SOHOA_LOGIN__LOCKED_RETRY_AFTER", "60")
    policy = load_settings().login

    def attempt(at: datetime) -> int | None:
        try:
            run_in_transaction(
                db.engine, lambda s: lt.reserve_attempt(s, "gia.hn", "10.0.0.1", now=at, policy=policy)
            )
        except lt.LoginThrottledError as exc:
            return exc.retry_after
        return None

    at, waits = T0, []
    for _ in range(policy.user_lock_after):
        while (retry := attempt(at)) is not None:
            waits.append(retry)
            at += timedelta(seconds=retry)
    assert waits == [1, 2, 4, 5, 5]  # doubling from the first failure, capped at 5 s
    assert attempt(at + timedelta(days=1)) == 60  # locked after 6
    assert run_in_transaction(db.engine, lambda s: lt.state(s, "gia.hn", policy=policy)).locked
    assert not run_in_transaction(db.engine, lambda s: lt.state(s, "gia.hn")).locked  # default: 10
