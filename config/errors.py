"""Base error and exit codes.

Like OCRmyPDF, each kind of failure has its own exception and exit code, so scripts driving
``sohoa`` can tell a bad scan from a locked token without parsing messages. Messages are meant
for commune staff: one line, Vietnamese first where staff read it, never a secret (PIN,
passphrase) and never a personal id number.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BAD_ARGS = 2
    INPUT_FILE = 3
    OCR = 4
    TIMEOUT = 5
    STORAGE = 6
    DATABASE = 7
    SIGNING = 8
    PIN = 9
    TOKEN = 10
    VERIFICATION = 11
    PARTIAL_BATCH = 12
    INTERNAL = 15


class SohoaError(Exception):
    """An expected failure with a message fit for a clerk and a stable exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
