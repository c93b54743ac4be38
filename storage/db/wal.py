"""Background WAL checkpoints for SQLite, so no committing request runs one.

By default SQLite checkpoints in the connection whose commit takes the write-ahead log past 1000
pages: the request that happens to commit then copies the log back into the database file
before it can answer, which is what the receipt benchmark's p99 showed. While ``sohoa serve``
runs, its connections have ``wal_autocheckpoint=0`` and a thread of the server checkpoints
instead, PASSIVE (it never blocks a writer or a reader) every ``INTERVAL_SECONDS`` while the log
is written.

The log stays bounded: a writer that finds the log fully checkpointed starts it again from the
beginning and (``journal_size_limit``) truncates the file to ``RESET_BYTES``. When readers, or
writes that never pause, keep the log from starting again and the file passes ``MAX_BYTES``, the
thread runs one TRUNCATE checkpoint (waiting for those readers, holding writers off while it
copies; little is left to copy, the passive ones did the rest) rather than let the file grow
without end. It waits at most ``TRUNCATE_WAIT_SECONDS`` for the write lock: SQLite's lock is not
fair, writes that never pause can keep it from the checkpoint for good, and while it waits it
holds the checkpoint lock, so no other checkpoint can run (a 30 s wait let a 2 MiB-bound log reach
12 MiB in CI). Past that wait it copies what it can and gives up until the next look. The
thread only looks every interval, and on a loaded machine it may not run for a while: a commit
that finds the log past ``BACKSTOP_FACTOR`` x ``max_bytes`` checkpoints by itself, as SQLite does
by default (``wal_autocheckpoint`` at that size rather than off), so the log stays bounded
however far the thread falls behind. Other processes on the same file (the hot folder, the CLI) keep
SQLite's own checkpoints. PostgreSQL has no such thing: nothing is done there.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

RESET_BYTES = 4 * 1024 * 1024  # journal_size_limit: the file kept after the log starts again
MAX_BYTES = 64 * 1024 * 1024  # past this, a TRUNCATE checkpoint (waits for readers)
INTERVAL_SECONDS = 0.5  # a passive checkpoint this often while the log is written
TRUNCATE_WAIT_SECONDS = 0.05  # longest wait of the thread's TRUNCATE for the write lock
BACKSTOP_FACTOR = 2  # a commit checkpoints itself only past this many times max_bytes


@dataclass
class CheckpointStats:
    passive: int = 0  # checkpoints that copied every frame of the log
    incomplete: int = 0  # passive checkpoints that readers or a writer kept from finishing
    truncate: int = 0  # forced by MAX_BYTES, and complete


class WalCheckpointer:
    """A thread checkpointing the WAL of an SQLite file (see :func:`start_wal_checkpointer`)."""

    def __init__(
        self,
        engine: Engine,
        database: Path,
        *,
        max_bytes: int = MAX_BYTES,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.engine = engine
        self.database = database
        self.wal = database.with_name(database.name + "-wal")
        self.max_bytes = max_bytes
        self.interval = interval
        self.backstop_bytes = BACKSTOP_FACTOR * max_bytes
        self.stats = CheckpointStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        page_size = int(cursor.execute("PRAGMA page_size").fetchone()[0])
        cursor.execute(f"PRAGMA wal_autocheckpoint={self.backstop_pages(page_size)}")
        cursor.execute(f"PRAGMA journal_size_limit={min(RESET_BYTES, self.max_bytes)}")
        cursor.close()

    def backstop_pages(self, page_size: int) -> int:
        """The log length (frames) at which a commit checkpoints after all."""
        return max(1, self.backstop_bytes // page_size)

    def start(self) -> None:
        event.listen(self.engine, "connect", self._on_connect)
        # Connections already pooled were opened with SQLite's own checkpoints: open them again.
        self.engine.dispose()
        self._thread = threading.Thread(target=self._run, name="sohoa-wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after a last checkpoint; later connections checkpoint by themselves."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        event.remove(self.engine, "connect", self._on_connect)
        self.engine.dispose()

    def _wal_state(self) -> tuple[int, int]:
        try:
            stat = self.wal.stat()
        except FileNotFoundError:
            return 0, 0
        return stat.st_size, stat.st_mtime_ns

    def _run(self) -> None:
        connection = sqlite3.connect(
            self.database, timeout=TRUNCATE_WAIT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            done: tuple[int, int] | None = None  # the log's (size, mtime) at the last complete checkpoint
            while True:
                stopping = self._stop.wait(self.interval)
                state = self._wal_state()
                if state[0] > self.max_bytes:
                    self._checkpoint(connection, "TRUNCATE")
                    done = self._wal_state()
                elif state != done and self._checkpoint(connection, "PASSIVE"):
                    done = state  # a write since then changes the mtime (the file is reused in place)
                if stopping:
                    return
        except Exception:  # a checkpoint thread must not die silently: the log would grow
            log.exception("WAL checkpoint thread failed (SQLite checkpoints resume in new connections)")
        finally:
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection, mode: str) -> bool:
        """True when every frame of the log is in the database file."""
        try:
            busy, frames, copied = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.OperationalError as exc:  # e.g. locked past the timeout: try again later
            log.warning("WAL checkpoint %s failed: %s", mode, exc)
            self.stats.incomplete += 1
            return False
        complete = not busy and frames == copied
        if complete and mode == "TRUNCATE":
            self.stats.truncate += 1
        elif complete:
            self.stats.passive += 1
        else:
            self.stats.incomplete += 1
        return complete


def start_wal_checkpointer(engine: Engine, **options: Any) -> WalCheckpointer | None:
    """Take checkpoints off the request path of a file SQLite ``engine``; ``None`` elsewhere."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    checkpointer = WalCheckpointer(engine, Path(database), **options)
    checkpointer.start()
    return checkpointer
