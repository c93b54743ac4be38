"""Who is calling, independent of how they called: roles, scopes, agencies, key format.

The HTTP layer (``pipeline.api.auth``) reads credentials from headers and caches the answer; the
rules of who may do what live here so the CLI and the workers apply the same ones.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, select

from pipeline.passwords import hash_secret
from storage.db.api_models import ApiKey, StaffToken, StaffUser
from storage.db.engine import read_session

ALL = "*"

ROLES = ("clerk", "official", "administrator")

SCOPES = (
    "results:read",  # fetch signed e-results
    "lookup",  # what the store already holds for an owner
    "verify",  # validate a PDF's signatures
    "intake",  # upload scans
    "documents:read",  # dossiers, documents, fields, jobs
    "documents:write",  # correct fields and document types
    "signing:queue",  # put documents in an official's signing queue
    "sign",  # fetch one's own queue and upload signed copies
    "report",  # Decision 766 indicators
)

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "clerk": frozenset(
        {"intake", "documents:read", "documents:write", "lookup", "verify", "results:read", "report",
         "signing:queue"}
    ),
    "official": frozenset(
        {"documents:read", "documents:write", "lookup", "verify", "results:read", "report", "sign",
         "signing:queue"}
    ),
    "administrator": frozenset(SCOPES),
}

API_KEY_PREFIX = "sohoa"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller. ``agencies`` holds agency codes, or ``"*"`` for all of them."""

    kind: Literal["key", "staff"]
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    agencies: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    key_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind == "staff" and "administrator" in self.roles

    @property
    def all_agencies(self) -> bool:
        return ALL in self.agencies or self.is_admin

    def has_scope(self, scope: str) -> bool:
        return self.is_admin or scope in self.scopes

    def may_see(self, agency_code: str | None) -> bool:
        """Records of no agency (e.g. a scan ingested without a dossier) need all-agency access."""
        if self.all_agencies:
            return True
        return agency_code is not None and agency_code in self.agencies

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"{self.kind}:{self.name}"


def scopes_for_roles(roles: list[str] | frozenset[str]) -> frozenset[str]:
    result: set[str] = set()
    for role in roles:
        result |= ROLE_SCOPES.get(role, frozenset())
    return frozenset(result)


def make_api_key(prefix: str, secret: str) -> str:
    return f"{API_KEY_PREFIX}_{prefix}_{secret}"


def split_api_key(raw: str) -> tuple[str, str] | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def principal_for_key(engine: Engine, raw: str) -> Principal | None:
    parsed = split_api_key(raw)
    if parsed is None or len(raw) > 200:
        return None
    prefix, _secret = parsed
    with read_session(engine) as session:
        key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        if key is None or key.revoked_at is not None:
            return None
        if not hmac.compare_digest(key.key_hash, hash_secret(raw.strip())):
            return None
        return Principal(
            kind="key",
            name=key.name,
            scopes=frozenset(key.scopes),
            agencies=frozenset(key.agencies),
            key_id=key.id,
        )


def principal_for_user(user: StaffUser) -> Principal:
    return Principal(
        kind="staff",
        name=user.username,
        roles=frozenset(user.roles),
        scopes=scopes_for_roles(user.roles),
        agencies=frozenset(user.agencies),
        user_id=user.id,
    )


def principal_for_token(engine: Engine, token: str) -> tuple[Principal, float] | None:
    """The staff member and the seconds left before the token expires."""
    if len(token) > 200:
        return None
    with read_session(engine) as session:
        row = session.execute(
            select(StaffToken.expires_at, StaffUser)
            .join(StaffUser, StaffUser.id == StaffToken.user_id)
            .where(StaffToken.token_hash == hash_secret(token))
        ).first()
        if row is None:
            return None
        expires_at, user = row
        if expires_at.tzinfo is None:  # SQLite returns naive datetimes
            expires_at = expires_at.replace(tzinfo=UTC)
        left = (expires_at - datetime.now(UTC)).total_seconds()
        if user.disabled or left <= 0:
            return None
        return principal_for_user(user), left
