"""Signing failures, each with the exit code scripts can branch on.

Messages are for commune staff (Vietnamese first, English gloss) and never carry a PIN or
passphrase: callers pass only facts about the token or file, never the secret.
"""

from __future__ import annotations

from config.errors import ExitCode, SohoaError


class SigningError(SohoaError):
    """The document could not be signed (bad certificate, unreadable PDF, TSA down...)."""

    exit_code = ExitCode.SIGNING


class PinError(SohoaError):
    """Wrong, missing or locked PIN/passphrase: never retried automatically."""

    exit_code = ExitCode.PIN


class TokenError(SohoaError):
    """The token (or its module) is absent, unusable or does not hold the key."""

    exit_code = ExitCode.TOKEN


class InputPdfError(SohoaError):
    """The PDF to sign cannot be read (or, when already signed, cannot be read strictly)."""

    exit_code = ExitCode.INPUT_FILE
