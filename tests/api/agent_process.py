"""A real ``sohoa sign-client --serve`` subprocess on a free loopback port, and its pairing code.

Shared by the agent's HTTP tests and the Chromium test: the code is read from the agent's own
terminal output, as the official reads it.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx

from tests.live_server import SOHOA, free_port
from tests.signing.conftest import PkiFixture

PAIRING = re.compile(r"Mã ghép nối \(pairing code\): ([A-Z0-9]{4}-[A-Z0-9]{4})")


class AgentProcess:
    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        pki: PkiFixture,
        server: str,
        *extra: str,
        module: str | None = None,
        token_label: str | None = None,
        key_label: str = "official-rsa",
        terminal: bool = False,
    ) -> None:
        """``terminal=True``: the agent runs on a pseudo-terminal (its controlling tty) and asks
        the PIN there, as on the official's screen; :meth:`type` answers it."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._fh = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self._master: int | None = None
        io: dict[str, object] = {"stdout": self._fh, "stderr": subprocess.STDOUT}
        pin_source = ["--pin-env", "SOHOA_TEST_PIN"]
        if terminal:
            self._master, slave = pty.openpty()
            io = {"stdin": slave, "stdout": slave, "stderr": slave, "preexec_fn": lambda: os.login_tty(slave)}
            pin_source = []
        self.proc = subprocess.Popen(
            [
                SOHOA,
                "sign-client",
                "--serve",
                "--port",
                str(self.port),
                "--server",
                server,
                "--pkcs11-module",
                module or pki.module,
                "--token-label",
                token_label or pki.token_label,
                "--key-label",
                key_label,
                *pin_source,
                "--chain",
                str(pki.pki.chain),
                *extra,
            ],
            env=env,
            **io,  # type: ignore[arg-type]
        )
        if self._master is not None:
            os.close(slave)
            threading.Thread(target=self._copy_terminal, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fh.close()
                raise RuntimeError(f"the agent exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"the agent did not start, see {log}")
        found = PAIRING.search(log.read_text(errors="replace"))
        assert found, log.read_text(errors="replace")
        self.pairing = found.group(1)

    def _copy_terminal(self) -> None:
        assert self._master is not None
        while True:
            try:
                chunk = os.read(self._master, 4096)
            except OSError:
                return
            if not chunk:
                return
            self._fh.write(chunk)
            self._fh.flush()

    def type(self, text: str) -> None:
        """Type on the agent's terminal (the official at the keyboard)."""
        assert self._master is not None
        os.write(self._master, text.encode())

    def wait_output(self, needle: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in (out := self.output()):
                return out
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} never shown: {self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._master is not None:
            time.sleep(0.3)  # let the copier drain the terminal
            os.close(self._master)
            self._master = None
        self._fh.close()
        return self.output()
