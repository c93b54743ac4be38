"""Crash-safe file writes: temp file in the target directory, fsync, rename, fsync the directory.

A reader (or a restart after SIGKILL) sees the old file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

TMP_PREFIX = ".tmp-"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def temp_file(directory: Path, suffix: str = "") -> Iterator[tuple[int, Path]]:
    """A temp file that is removed unless the caller renamed it away."""
    fd, name = tempfile.mkstemp(dir=directory, prefix=TMP_PREFIX, suffix=suffix)
    path = Path(name)
    try:
        yield fd, path
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def write_chunks(
    fd: int, chunks: Iterable[bytes], *, durable: bool = True, hash_aside: bool = False
) -> tuple[str, int]:
    """Write (and fsync unless told not to), returning the SHA-256 and size of what was written.

    ``hash_aside`` hashes in a second thread, for large downloads: receiving, writing and hashing
    all release the GIL, so with a spare core the check costs little more than the transfer.
    """
    digest = hashlib.sha256()
    size = 0
    with _hashing(digest, aside=hash_aside) as feed:
        for chunk in chunks:
            feed(chunk)
            view = memoryview(chunk)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            size += len(chunk)
    if durable:
        os.fsync(fd)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _hashing(digest: Any, *, aside: bool) -> Iterator[Callable[[bytes], None]]:
    """What to call with each chunk; with ``aside``, a thread that is always joined on exit."""
    if not aside:
        yield digest.update
        return
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=4)

    def hash_pending() -> None:
        while (chunk := pending.get()) is not None:
            digest.update(chunk)

    hasher = threading.Thread(target=hash_pending, name="sohoa-hash", daemon=True)
    hasher.start()
    try:
        yield pending.put
    finally:
        pending.put(None)
        hasher.join()


def replace(tmp: Path, final: Path, *, durable: bool = True) -> None:
    os.replace(tmp, final)
    if durable:
        fsync_dir(final.parent)


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    with temp_file(path.parent) as (fd, tmp):
        write_chunks(fd, [data])
        os.fchmod(fd, mode)
        replace(tmp, path)
