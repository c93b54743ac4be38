"""A short-lived cache of authenticated callers, so a busy API does not read the key table per request.

Entries live ``ttl`` seconds (default 5) and never beyond a token's own expiry; logging out drops
the entry at once. A key revoked from the command line (another process) stops working within
``ttl`` seconds. Only successful authentications are kept, so a flood of wrong keys cannot grow it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

DEFAULT_TTL = 5.0
MAX_ENTRIES = 10_000


class AuthCache:
    def __init__(self, ttl: float = DEFAULT_TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[digest]
                return None
            return entry[1]

    def put(self, digest: str, value: Any, *, not_after: float | None = None) -> None:
        """``not_after``: seconds from now after which the credential itself expires."""
        if self.ttl <= 0:
            return
        lifetime = self.ttl if not_after is None else min(self.ttl, not_after)
        if lifetime <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + lifetime, value)

    def drop(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
