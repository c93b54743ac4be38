"""Log lines that cannot be forged: control characters in logged values are escaped.

A request path is attacker-chosen: ``%0A`` decodes to a newline, and a newline followed by a
made-up timestamp writes a second, forged line into the log an operator (or a SIEM) reads. Every
control character (C0, DEL, C1) is therefore written as ``\\xNN``; the filter does the same for
any record of any logger it is attached to.
"""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape_control(text: str) -> str:
    """``text`` with each control character written as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class EscapeControlFilter(logging.Filter):
    """Attached to a handler: the message is formatted once, then escaped (tracebacks are kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _CONTROL.search(message):
            record.msg, record.args = escape_control(message), None
        return True
