"""A live ``sohoa serve`` subprocess on a free loopback port, for end-to-end and fuzz tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.signing.conftest import USER_PIN, PkiFixture
from tests.storage.moto_fixture import free_port

SOHOA = str(Path(sys.executable).with_name("sohoa"))
ORG = "UBND xã Tân Phú (TEST)"


def env_for(data: Path, pki: PkiFixture | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_STORAGE__BACKEND": "directory", **extra}
    if pki is not None:
        env |= {
            "SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root_pem)]),
            "SOHOA_SIGNING__FONT": str(pki.font),
            "SOHOA_SIGNING__ORGANISATION": ORG,
            "SOHOA_TEST_PIN": USER_PIN,
        }
    return env


class LiveServer:
    def __init__(self, data: Path, env: dict[str, str], log: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._fh = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                SOHOA,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-worker",
                "--log-level",
                "debug",
                *extra,
            ],
            env=env,
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            cwd=data.parent,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("server not ready in 60 s")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._fh.close()
        return self.log.read_text(errors="replace")
