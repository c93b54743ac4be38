"""Database failures a clerk can act on."""

from __future__ import annotations

from config.errors import ExitCode, SohoaError


class DatabaseError(SohoaError):
    exit_code = ExitCode.DATABASE


class NotFoundError(SohoaError):
    """A code given on the command line names nothing in the database."""

    exit_code = ExitCode.BAD_ARGS


class BadInputError(SohoaError):
    exit_code = ExitCode.BAD_ARGS
