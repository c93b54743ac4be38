"""Refusals of the workflow layer, shared by the HTTP routes and the CLI.

A refusal carries the HTTP status the API answers it with, so the workflow can say "conflict" or
"not found" without knowing about FastAPI; the CLI prints the same message and exits with
``BAD_ARGS``.
"""

from __future__ import annotations

from config.errors import ExitCode, SohoaError


class Refused(SohoaError):
    """A request turned down (conflict, too large, not found, not allowed) with its HTTP status."""

    exit_code = ExitCode.BAD_ARGS

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def not_found(what: str = "tài liệu (document)") -> Refused:
    return Refused(404, f"Không tìm thấy {what} (not found)")
