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
from collections.abc import Iterable, Iterator
from pathlib import Path

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


def write_chunks(fd: int, chunks: Iterable[bytes], *, durable: bool = True) -> tuple[str, int]:
    """Write (and fsync unless told not to), returning the SHA-256 and size of what was written."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        view = memoryview(chunk)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        size += len(chunk)
    if durable:
        os.fsync(fd)
    return digest.hexdigest(), size


def write_chunks_hashing_aside(fd: int, chunks: Iterable[bytes], *, durable: bool = True) -> tuple[str, int]:
    """``write_chunks`` with the hashing in a second thread, for large downloads.

    Receiving, writing and hashing all release the GIL, so on a machine with a spare core the
    SHA-256 check of a large object costs little more than the download itself.
    """
    digest = hashlib.sha256()
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=4)

    def hash_aside() -> None:
        while (chunk := pending.get()) is not None:
            digest.update(chunk)

    hasher = threading.Thread(target=hash_aside, name="sohoa-hash", daemon=True)
    hasher.start()
    size = 0
    try:
        for chunk in chunks:
            pending.put(chunk)
            view = memoryview(chunk)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            size += len(chunk)
    finally:
        pending.put(None)
        hasher.join()
    if durable:
        os.fsync(fd)
    return digest.hexdigest(), size


def replace(tmp: Path, final: Path, *, durable: bool = True) -> None:
    os.replace(tmp, final)
    if durable:
        fsync_dir(final.parent)


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    with temp_file(path.parent) as (fd, tmp):
        write_chunks(fd, [data])
        os.fchmod(fd, mode)
        replace(tmp, path)
