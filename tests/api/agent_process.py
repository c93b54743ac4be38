"""A real ``sohoa sign-client --serve`` subprocess on a free loopback port, and its pairing code.

Shared by the agent's HTTP tests and the Chromium test: the code is read from the agent's own
terminal output, as the official reads it.
"""

from __future__ import annotations

import re
import signal
import subprocess
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
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._fh = open(log, "ab")  # noqa: SIM115 - closed in stop()
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
                "--pin-env",
                "SOHOA_TEST_PIN",
                "--chain",
                str(pki.pki.chain),
                *extra,
            ],
            env=env,
            stdout=self._fh,
            stderr=subprocess.STDOUT,
        )
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
        self._fh.close()
        return self.output()
