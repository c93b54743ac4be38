"""A real ``sohoa serve`` subprocess on a free loopback port, ready once ``/healthz`` answers 200.

Shared by the API tests, the Chromium end-to-end test and the API benchmark; it needs nothing
from pytest so benchmarks can use it too.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *extra: str,
        worker: bool = False,
        log_level: str = "info",
        cwd: Path | None = None,
        ready_seconds: float = 120.0,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._fh = open(log, "ab")  # noqa: SIM115 - closed in stop()
        # As an operator does: serve refuses a database whose schema is not current.
        subprocess.run([SOHOA, "db", "upgrade"], env=env, stdout=self._fh, stderr=subprocess.STDOUT, cwd=cwd,
                       check=True, timeout=120)
        self.proc = subprocess.Popen(
            [
                SOHOA,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--worker" if worker else "--no-worker",
                "--log-level",
                log_level,
                *extra,
            ],
            env=env,
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
        deadline = time.monotonic() + ready_seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fh.close()
                raise RuntimeError(f"sohoa serve exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"sohoa serve not ready in {ready_seconds:.0f} s, see {log}")

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL after 30 s) and return its log."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._fh.close()
        return self.log.read_text(errors="replace")
