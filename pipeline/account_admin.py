"""Administering staff accounts: list, disable, reset a password, revoke tokens, unlock.

What ``sohoa admin`` runs on the server when a member of staff leaves, loses a token or has been
locked out by failed log-ins. Disabling or resetting an account also revokes its bearer tokens, so
a stolen session ends with it (API processes drop cached tokens within their short cache time).
Every change is in the audit log; no password is ever printed or logged.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from config.settings import LoginSettings
from pipeline import login_throttle
from pipeline.passwords import MIN_PASSWORD, hash_password
from storage.db.api_models import StaffToken, StaffUser
from storage.db.dossiers import audit
from storage.db.errors import BadInputError, NotFoundError


class UserInfo(BaseModel):
    username: str
    full_name: str
    roles: list[str]
    agencies: list[str]
    disabled: bool
    has_certificate: bool
    tokens: int  # live bearer tokens
    failures: int  # failed log-ins since the last success
    locked: bool
    created_at: datetime


def _user(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username[:64]))
    if user is None:
        raise NotFoundError(f"Không có tài khoản '{username[:64]}' (unknown user)")
    return user


def list_users(session: Session, *, policy: LoginSettings = login_throttle.DEFAULT_POLICY) -> list[UserInfo]:
    now = datetime.now(UTC)
    counts = session.execute(
        select(StaffToken.user_id, func.count())
        .where(StaffToken.expires_at > now)
        .group_by(StaffToken.user_id)
    )
    live = {user_id: count for user_id, count in counts}
    result = []
    for user in session.scalars(select(StaffUser).order_by(StaffUser.username)):
        throttle = login_throttle.state(session, user.username, now=now, policy=policy)
        result.append(
            UserInfo(
                username=user.username,
                full_name=user.full_name,
                roles=list(user.roles),
                agencies=list(user.agencies),
                disabled=user.disabled,
                has_certificate=user.cert_sha256 is not None,
                tokens=int(live.get(user.id, 0)),
                failures=throttle.failures,
                locked=throttle.locked,
                created_at=user.created_at,
            )
        )
    return result


def revoke_tokens(session: Session, username: str, *, actor: str) -> int:
    """Delete every bearer token of the user; returns how many there were."""
    user = _user(session, username)
    count = len(session.scalars(select(StaffToken.token_hash).where(StaffToken.user_id == user.id)).all())
    session.execute(delete(StaffToken).where(StaffToken.user_id == user.id))
    audit(session, "staff.tokens_revoked", actor=actor, username=user.username, tokens=count)
    return count


def set_disabled(session: Session, username: str, disabled: bool, *, actor: str) -> None:
    user = _user(session, username)
    user.disabled = disabled
    if disabled:
        session.execute(delete(StaffToken).where(StaffToken.user_id == user.id))
    audit(session, "staff.disabled" if disabled else "staff.enabled", actor=actor, username=user.username)


def reset_password(session: Session, username: str, password: str, *, actor: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự (password too short)")
    user = _user(session, username)
    user.password_hash = hash_password(password)
    session.execute(delete(StaffToken).where(StaffToken.user_id == user.id))
    login_throttle.unlock(session, user.username, actor=actor)
    audit(session, "staff.password_reset", actor=actor, username=user.username)


def unlock(session: Session, username: str, *, actor: str) -> bool:
    """Lift the log-in lockout (known or not: unknown names are throttled too)."""
    return login_throttle.unlock(session, username[:64], actor=actor)
