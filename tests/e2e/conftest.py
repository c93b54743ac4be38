"""The live server, the SoftHSM token and local signing agents for the Chromium tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.api.agent_process import AgentProcess
from tests.api.conftest import Api
from tests.api.live import LiveServer
from tests.api.test_api_e2e import live  # noqa: F401 - the live-server fixture
from tests.signing.conftest import PkiFixture, pki  # noqa: F401 - the SoftHSM token fixture


@pytest.fixture
def start_agent(
    live: tuple[Api, LiveServer, dict[str, str]],  # noqa: F811
    pki: PkiFixture,  # noqa: F811
    tmp_path: Path,
) -> Iterator[Callable[[str], AgentProcess]]:
    """Start ``sohoa sign-client --serve`` for the live server with a token key (``official-rsa``,
    ``seal``); every agent started is stopped at the end (``stop()`` may come earlier: it is
    idempotent, and what the agent printed is complete only once it has stopped)."""
    _api, server, env = live
    started: list[AgentProcess] = []

    def start(key_label: str = "official-rsa") -> AgentProcess:
        agent = AgentProcess(env, tmp_path / f"agent-{key_label}.log", pki, server.url, key_label=key_label)
        started.append(agent)
        return agent

    try:
        yield start
    finally:
        for agent in started:
            agent.stop()
