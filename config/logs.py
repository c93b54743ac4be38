"""Operators' log lines: plain text on a console, or one JSON object per line for a collector.

``SOHOA_LOG__FORMAT=json`` switches every logger, uvicorn's included, to python-json-logger's
formatter (stdlib ``logging`` underneath), with stable keys: ``time`` (ISO 8601 with offset),
``level``, ``logger``, ``message`` and whatever ``extra=`` a call adds. Nothing secret is ever
passed to a logger (no PIN, no passphrase, no personal id number), so no field is filtered here.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import Any

from config.settings import LogSettings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
# Loggers that install their own handlers (uvicorn's default config); they join the root's.
FOREIGN = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Chatty at INFO about what operators need not see ("Context impl SQLiteImpl"); warnings still show.
QUIET = ("alembic",)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record, as ``print`` does."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """The stream always follows ``sys.stderr``."""


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    class _Formatter(JsonFormatter):
        def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
            return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")

    return _Formatter(JSON_FIELDS, rename_fields=RENAMED, json_ensure_ascii=False)


def configure_logging(settings: LogSettings, level: str = "info", stream: Any = None) -> None:
    """Route every log record to one stderr handler in the configured format.

    Calling it again replaces the handler it installed before (handlers others added, such as a
    test runner's, are left alone).
    """
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(json_formatter() if settings.format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.set_name("sohoa")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "sohoa"]:
        root.removeHandler(old)
    root.addHandler(handler)
    numeric = getattr(logging, level.upper(), logging.INFO)
    root.setLevel(numeric)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    for name in FOREIGN:
        foreign = logging.getLogger(name)
        foreign.handlers.clear()
        foreign.propagate = True
