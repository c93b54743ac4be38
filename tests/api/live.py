"""A live ``sohoa serve`` subprocess on a free loopback port, for end-to-end and fuzz tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.live_server import SOHOA, ServeProcess
from tests.signing.conftest import USER_PIN, PkiFixture

__all__ = ["ORG", "SOHOA", "LiveServer", "env_for"]

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


class LiveServer(ServeProcess):
    """The API tests' server: no in-process worker, debug logs (greped for secrets)."""

    def __init__(self, data: Path, env: dict[str, str], log: Path, *extra: str) -> None:
        super().__init__(env, log, *extra, log_level="debug", cwd=data.parent)
