"""The signing agent's timed PIN prompt on a real pseudo-terminal: echo off while typing, the line
returned on Enter, a refusal in Vietnamese after the time limit with the half-typed input thrown
away and the terminal's echo restored. (The agent's end-to-end test with SoftHSM is in
test_signing_agent.py.)"""

from __future__ import annotations

import os
import pty
import termios
import threading
import time
from collections.abc import Iterator

import pytest

from pipeline.sign_client import read_secret_timed, secret_reader
from signing.errors import PinError


@pytest.fixture
def terminal() -> Iterator[tuple[int, str]]:
    master, slave = pty.openpty()
    path = os.ttyname(slave)
    yield master, path
    os.close(slave)
    os.close(master)


def _type_later(master: int, text: str, delay: float = 0.3) -> threading.Thread:
    def typing() -> None:
        time.sleep(delay)
        os.write(master, text.encode())

    thread = threading.Thread(target=typing, daemon=True)
    thread.start()
    return thread


def test_line_typed_in_time_is_returned_without_echo(terminal: tuple[int, str]) -> None:
    master, path = terminal
    _type_later(master, "123456\n")
    assert read_secret_timed("Mã PIN (PIN)", 10, tty=path) == "123456"
    shown = os.read(master, 4096).decode()
    assert "Mã PIN (PIN): " in shown and "123456" not in shown


def test_timeout_refuses_discards_half_typed_and_restores_echo(terminal: tuple[int, str]) -> None:
    master, path = terminal
    _type_later(master, "12", delay=0.1)  # no Enter: the official walked away
    started = time.monotonic()
    with pytest.raises(PinError) as refused:
        read_secret_timed("Mã PIN (PIN)", 1.0, tty=path)
    assert time.monotonic() - started >= 1.0
    assert "Hết 1 giây chờ nhập mã PIN" in refused.value.message
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    try:
        assert termios.tcgetattr(fd)[3] & termios.ECHO  # echo is back on
    finally:
        os.close(fd)
    # The "12" is gone: the next prompt reads only what is typed for it.
    _type_later(master, "654321\n")
    assert read_secret_timed("Mã PIN (PIN)", 10, tty=path) == "654321"


def test_empty_line_refuses_and_environment_needs_no_terminal(
    terminal: tuple[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    master, path = terminal
    _type_later(master, "\n")
    assert read_secret_timed("Mã PIN (PIN)", 10, tty=path) == ""
    monkeypatch.setenv("SOHOA_PIN_FOR_TEST", "777777")
    assert secret_reader("SOHOA_PIN_FOR_TEST", timeout=0.01)("Mã PIN") == "777777"
