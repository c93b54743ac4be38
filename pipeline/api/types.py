"""Types every answer shares: times always with their offset, ids always integers.

A time read back from SQLite may be naive (it stores no zone); sohoa writes UTC everywhere, so a
naive value is UTC and is answered with ``Z``/``+00:00`` rather than as a bare local-looking time.
Database ids (documents, versions, queue items) are integers everywhere in the API; intake job ids
are 32 hex digits (a UUID, so a job can be named before its row exists).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field


def aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(aware)]
DocumentId = Annotated[int, Field(ge=1, le=2**62, description="mã tài liệu (số nguyên)")]
RowIdPath = Annotated[int, Path(ge=1, le=2**62)]  # a database id in a route's path
JobId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="mã công việc tiếp nhận")]
