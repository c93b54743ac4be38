"""Writing while hashing, inline and in a second thread: the same digest, and no thread left behind."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.objects.atomic import temp_file, write_chunks


def chunks(n: int, fail_after: int | None = None) -> Iterator[bytes]:
    for i in range(n):
        if fail_after is not None and i == fail_after:
            raise ConnectionResetError("connection lost mid-download")
        yield os.urandom(1024 * 1024 + i)


@pytest.mark.parametrize("aside", [False, True])
def test_digest_and_size_match_what_was_written(aside: bool, tmp_path: Path) -> None:
    with temp_file(tmp_path) as (fd, tmp):
        digest, size = write_chunks(fd, chunks(6), durable=False, hash_aside=aside)
        data = tmp.read_bytes()
    assert (digest, size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_failing_source_stops_the_hashing_thread(tmp_path: Path) -> None:
    before = threading.active_count()
    with temp_file(tmp_path) as (fd, _), pytest.raises(ConnectionResetError):
        write_chunks(fd, chunks(10, fail_after=3), hash_aside=True)
    assert threading.active_count() == before
    assert not any(t.name == "sohoa-hash" for t in threading.enumerate())
