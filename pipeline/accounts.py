"""Creating API keys, staff accounts and bearer tokens (used by ``sohoa admin`` and login)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.passwords import MIN_PASSWORD, check_password, hash_password, hash_secret, new_secret
from pipeline.principals import ALL, ROLES, SCOPES, make_api_key
from storage.db.api_models import ApiKey, StaffToken, StaffUser
from storage.db.dossiers import audit, check_agency_code
from storage.db.errors import BadInputError, NotFoundError

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TOKEN_TTL = timedelta(hours=12)
MAX_TOKEN_TTL = timedelta(days=30)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    username: str
    roles: list[str]


def _check_agencies(agencies: list[str]) -> list[str]:
    if not agencies:
        raise BadInputError("Cần ít nhất một mã cơ quan hoặc '*' (at least one agency code or '*')")
    return [a if a == ALL else check_agency_code(a) for a in agencies]


def create_api_key(
    session: Session, name: str, *, scopes: list[str], agencies: list[str], actor: str
) -> str:
    """Store a new key and return it in clear: the only time it is ever shown."""
    if not name or len(name) > 128:
        raise BadInputError("Tên khóa API phải có 1–128 ký tự (key name 1-128 characters)")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise BadInputError(f"Phạm vi không hợp lệ (unknown scopes): {unknown}; có: {', '.join(SCOPES)}")
    agencies = _check_agencies(agencies)
    prefix, secret = new_secret()[:12].replace("-", "x").replace("_", "y"), new_secret()
    raw = make_api_key(prefix, secret)
    scopes = sorted(set(scopes))
    session.add(ApiKey(name=name, prefix=prefix, key_hash=hash_secret(raw), scopes=scopes, agencies=agencies))
    try:
        session.flush()
    except IntegrityError:
        raise BadInputError(f"Khóa API '{name}' đã tồn tại (key name already used)") from None
    audit(session, "api.key_created", actor=actor, name=name, scopes=scopes, agencies=agencies)
    return raw


def revoke_api_key(session: Session, name: str, *, actor: str) -> None:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise NotFoundError(f"Không có khóa API '{name}' (unknown key)")
    key.revoked_at = datetime.now(UTC)
    audit(session, "api.key_revoked", actor=actor, name=name)


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    roles: list[str],
    agencies: list[str],
    full_name: str = "",
    cert_sha256: str | None = None,
    actor: str,
) -> StaffUser:
    if not USERNAME_RE.fullmatch(username):
        raise BadInputError("Tên đăng nhập: 2–64 ký tự a-z, 0-9, '.', '_', '-' (invalid username)")
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự (password too short)")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise BadInputError(f"Vai trò không hợp lệ (unknown roles): {unknown}; có: {', '.join(ROLES)}")
    if cert_sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", cert_sha256):
        raise BadInputError("Dấu vân tay chứng thư phải là SHA-256 hex (certificate fingerprint)")
    user = StaffUser(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        roles=sorted(set(roles)),
        agencies=_check_agencies(agencies),
        cert_sha256=cert_sha256,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise BadInputError(f"Tài khoản '{username}' đã tồn tại (username already used)") from None
    audit(session, "staff.created", actor=actor, username=username, roles=user.roles)
    return user


def get_user(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise NotFoundError(f"Không có tài khoản '{username}' (unknown user)")
    return user


def issue_token(session: Session, user: StaffUser, ttl: timedelta = TOKEN_TTL) -> IssuedToken:
    if ttl <= timedelta(0) or ttl > MAX_TOKEN_TTL:
        raise BadInputError("Thời hạn phiên từ 1 giây đến 30 ngày (token lifetime 1 s to 30 days)")
    now = datetime.now(UTC)
    session.execute(delete(StaffToken).where(StaffToken.user_id == user.id, StaffToken.expires_at < now))
    token = new_secret()
    expires = now + ttl
    session.add(StaffToken(token_hash=hash_secret(token), user_id=user.id, expires_at=expires))
    session.flush()
    return IssuedToken(token=token, expires_at=expires, username=user.username, roles=list(user.roles))


def login(session: Session, username: str, password: str, ttl: timedelta = TOKEN_TTL) -> IssuedToken | None:
    """A token for right credentials, else None (the caller answers 401 without saying why)."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username[:64]))
    ok = check_password(password, user.password_hash if user is not None else None)
    if user is None or not ok or user.disabled:
        return None
    audit(session, "staff.login", actor=f"staff:{user.username}")
    return issue_token(session, user, ttl)


def logout(session: Session, token: str) -> None:
    session.execute(delete(StaffToken).where(StaffToken.token_hash == hash_secret(token)))
