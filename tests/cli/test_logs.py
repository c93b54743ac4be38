"""Structured logs: one JSON object per line with stable keys, uvicorn's loggers included."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest

from config.logs import configure_logging
from config.settings import LogSettings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    yield
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_json_lines_with_stable_keys(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging(LogSettings(format="json"), "info", stream=out)
    logging.getLogger("pipeline.intake").info("đã tiếp nhận %s", "scan.pdf", extra={"dossier": "HS-1"})
    logging.getLogger("uvicorn.error").warning("Started server process")
    logging.getLogger("pipeline.intake").debug("not shown at info")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")  # quietened
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert first["message"] == "đã tiếp nhận scan.pdf" and first["level"] == "INFO"
    assert first["logger"] == "pipeline.intake" and first["dossier"] == "HS-1"
    assert datetime.fromisoformat(first["time"]).utcoffset() is not None  # time carries its offset
    assert lines[1]["logger"] == "uvicorn.error" and lines[1]["level"] == "WARNING"


def test_text_is_the_default(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging(LogSettings(), "info", stream=out)
    logging.getLogger("pipeline.watch").info("hello")
    line = out.getvalue().strip()
    assert line.endswith("INFO pipeline.watch: hello") and not line.startswith("{")


def test_reconfiguring_replaces_only_its_own_handler(restore_logging: None) -> None:
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    configure_logging(LogSettings(), "info", stream=io.StringIO())
    configure_logging(LogSettings(format="json"), "info", stream=io.StringIO())
    ours = [h for h in root.handlers if h.get_name() == "sohoa"]
    assert len(ours) == 1 and other in root.handlers
