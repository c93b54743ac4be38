"""Object-store errors, one class per way a store can fail, all with ``ExitCode.STORAGE``.

Messages name the bucket and a key prefix at most: object metadata carries owner ids, which must
never reach a log or a clerk's screen through an exception.
"""

from __future__ import annotations

from config.errors import ExitCode, SohoaError


class StorageError(SohoaError):
    exit_code = ExitCode.STORAGE


class StorageUnavailableError(StorageError):
    """The server stayed unreachable (or kept answering 5xx) for the whole retry window."""


class ObjectLockedError(StorageError):
    """The object is under retention: it may be neither deleted nor replaced yet."""


class ObjectNotFoundError(StorageError):
    pass


class ObjectCorruptedError(StorageError):
    """The bytes read back do not hash to their key: the copy is damaged or was tampered with."""


class SourceChangedError(StorageError):
    """The file changed after it was hashed or while it was stored: its key would not name it."""

    exit_code = ExitCode.INPUT_FILE

    def __init__(self, name: str) -> None:
        super().__init__(
            f"Tệp {name} bị thay đổi trong khi lưu, hãy thử lại (file changed while being stored)"
        )


class InvalidObjectKeyError(StorageError):
    """A key that is not a SHA-256 hex digest (also what stops path traversal)."""

    exit_code = ExitCode.BAD_ARGS


class InvalidMetadataError(StorageError):
    exit_code = ExitCode.BAD_ARGS


class PresignError(StorageError):
    """A presigned URL that is malformed, forged or expired, or an expiry out of range."""

    exit_code = ExitCode.BAD_ARGS


def local_file_error(path: object, exc: OSError, reading: bool) -> StorageError:
    """A local disk problem (missing file, disk full, no permission), told apart from the server's."""
    from pathlib import Path

    verb = "đọc" if reading else "ghi"
    gloss = "cannot read file" if reading else "cannot write file"
    return StorageError(
        f"Không {verb} được tệp {Path(str(path)).name} ({gloss}): {exc.strerror or type(exc).__name__}",
        exit_code=ExitCode.INPUT_FILE,
    )


def short_key(key: str) -> str:
    """What messages and logs show of a key: enough to find it, too little to matter."""
    return key[:12] + "…" if len(key) > 12 else key
