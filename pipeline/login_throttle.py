"""Login throttling, per username and per client address, kept in the database.

A password guesser is slowed down (exponential back-off after a few free tries) and, per
username, stopped (lockout after ``user_lock_after`` failures, lifted only by an administrator:
``sohoa admin unlock``). State lives in ``login_throttle`` so every API process behind a balancer
counts the same failures; each attempt is *reserved* in its own committed transaction before the
password is checked, with the row locked, so parallel tries cannot all slip through between a
check and its record. Unknown usernames are counted like real ones: the answer never tells
whether an account exists. Blocked attempts are not counted and their password is never checked.
The numbers are ``settings.login`` (``config.settings.LoginSettings``); callers pass them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from config.errors import ExitCode, SohoaError
from config.settings import LoginSettings
from storage.db.dossiers import audit
from storage.db.security_models import LoginThrottle

# The defaults: 3 free tries per username, lockout after 10; a commune office shares one address,
# so 20 free tries and no lockout per address; back-off at most 15 minutes.
DEFAULT_POLICY = LoginSettings()


class LoginThrottledError(SohoaError):
    """Too many failed log-ins: answered 429 with ``Retry-After``."""

    exit_code = ExitCode.BAD_ARGS

    def __init__(self, retry_after: int, *, locked: bool = False) -> None:
        if locked:
            message = (
                "Tài khoản bị khóa do đăng nhập sai nhiều lần, liên hệ quản trị viên "
                "(account locked after failed log-ins; an administrator can unlock it)"
            )
        else:
            message = (
                f"Đăng nhập sai quá nhiều lần, thử lại sau {retry_after} giây "
                f"(too many failed log-ins, retry after {retry_after} s)"
            )
        super().__init__(message)
        self.retry_after = retry_after
        self.locked = locked


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    blocked_until: datetime | None
    locked: bool


def user_key(username: str) -> str:
    return "user:" + username.strip().lower()[:64]


def address_key(address: str) -> str:
    return "addr:" + address.strip()[:64]


def _delay(failures: int, free: int, max_delay: int) -> int:
    """Seconds to wait after the ``failures``-th failure: 0 while free, then 1, 2, 4, ..."""
    if failures < free:
        return 0
    return min(max_delay, 2 ** min(failures - free, 20))


def _row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The key's row, created if absent, locked for this transaction (PostgreSQL row lock;
    SQLite write transactions already hold the database's write lock)."""
    dialect = session.get_bind().dialect.name
    values = {"key": key, "failures": 0, "blocked_until": None, "updated_at": now}
    if dialect == "postgresql":
        session.execute(postgresql.insert(LoginThrottle).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(LoginThrottle).values(values).on_conflict_do_nothing())
    elif session.get(LoginThrottle, key) is None:
        session.add(LoginThrottle(**values))
        session.flush()
    row = session.scalar(
        select(LoginThrottle).where(LoginThrottle.key == key).with_for_update().execution_options(
            populate_existing=True
        )
    )
    assert row is not None
    return row


def reserve_attempt(
    session: Session,
    username: str,
    address: str,
    *,
    now: datetime | None = None,
    policy: LoginSettings = DEFAULT_POLICY,
) -> None:
    """Refuse the attempt while blocked; else count it as a failure until ``record_success``."""
    now = now or datetime.now(UTC)
    user = _row(session, user_key(username), now)
    addr = _row(session, address_key(address), now)
    if user.failures >= policy.user_lock_after:
        raise LoginThrottledError(policy.locked_retry_after, locked=True)
    waits = [r.blocked_until for r in (user, addr) if r.blocked_until is not None and r.blocked_until > now]
    if waits:
        seconds = max(w for w in waits) - now
        raise LoginThrottledError(max(1, int(-(-seconds.total_seconds() // 1))))
    for row, free in ((user, policy.user_free_tries), (addr, policy.address_free_tries)):
        row.failures += 1
        delay = _delay(row.failures, free, policy.max_delay)
        row.blocked_until = now + timedelta(seconds=delay) if delay else None
        row.updated_at = now
    session.flush()


def record_success(
    session: Session, username: str, address: str, *, policy: LoginSettings = DEFAULT_POLICY
) -> None:
    """The password was right: the username's count starts again; the address gets one back."""
    now = datetime.now(UTC)
    user = _row(session, user_key(username), now)
    user.failures, user.blocked_until, user.updated_at = 0, None, now
    addr = _row(session, address_key(address), now)
    addr.failures = max(0, addr.failures - 1)
    if addr.failures < policy.address_free_tries:
        addr.blocked_until = None
    addr.updated_at = now
    session.flush()


def state(
    session: Session, username: str, *, now: datetime | None = None, policy: LoginSettings = DEFAULT_POLICY
) -> ThrottleState:
    now = now or datetime.now(UTC)
    row = session.get(LoginThrottle, user_key(username))
    if row is None:
        return ThrottleState(0, None, False)
    blocked = row.blocked_until if row.blocked_until and row.blocked_until > now else None
    return ThrottleState(row.failures, blocked, row.failures >= policy.user_lock_after)


def unlock(session: Session, username: str, *, actor: str) -> bool:
    """Lift a lockout or back-off of ``username``; True when there was something to lift."""
    row = session.get(LoginThrottle, user_key(username))
    if row is None or (row.failures == 0 and row.blocked_until is None):
        return False
    row.failures, row.blocked_until, row.updated_at = 0, None, datetime.now(UTC)
    audit(session, "staff.unlocked", actor=actor, username=username)
    return True
