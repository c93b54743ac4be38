"""Column types shared by the model modules.

``UtcDateTime``: SQLite has no time-zone type, so SQLAlchemy's ``DateTime(timezone=True)`` drops
the offset there and hands back naive datetimes, while PostgreSQL answers in the session's zone.
Every timestamp is therefore stored as UTC and read back aware (``+00:00``) on both databases,
which is what the published schema promises. A naive value is taken as UTC, as the code base
always wrote ``datetime.now(UTC)``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
