"""Stored objects streamed to a client in chunks, never held whole in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def stream_chunks(reader: Any, size: int = 256 * 1024) -> Iterator[bytes]:
    """Read ``reader`` to its end and close it, even when the client goes away half-way.

    Reading to the end is what makes the store's verifying reader check the SHA-256.
    """
    try:
        while chunk := reader.read(size):
            yield chunk
    finally:
        reader.close()
