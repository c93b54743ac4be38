"""Options several commands take, spelled once so their flag and help text cannot drift apart."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from config.errors import ExitCode, SohoaError

JsonOpt = Annotated[bool, typer.Option("--json", help="in một đối tượng JSON")]
OwnerOpt = Annotated[str, typer.Option("--owner", help="số định danh cá nhân hoặc mã số doanh nghiệp")]


def parse_day(value: str | None, option: str) -> date | None:
    """A ``YYYY-MM-DD`` option's day; a clear error naming ``option`` for anything else."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SohoaError(
            f"{option}: ngày không hợp lệ, cần YYYY-MM-DD (invalid date)", exit_code=ExitCode.BAD_ARGS
        ) from None
