"""A RabbitMQ node of the test's own (own node name, port and data), which it may restart.

The system RabbitMQ on 5672 is shared by everything on this machine, so it is never restarted;
this node is started from the same Debian ``rabbitmq-server`` with its own config file,
Mnesia directory and logs (owned by the ``rabbitmq`` user the server script switches to).
``restart`` stops and starts the RabbitMQ application (every client connection is closed;
durable queues and persistent messages come back from disk) while the Erlang VM stays up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.live_server import free_port


@dataclass
class RabbitNode:
    node: str
    port: int
    root: Path

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def ctl(self, *args: str, timeout: float = 120) -> None:
        subprocess.run(
            ["rabbitmqctl", "-q", "-n", self.node, *args], check=True, capture_output=True, timeout=timeout
        )

    def listening(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False

    def restart(self, down_seconds: float = 5.0) -> None:
        self.ctl("stop_app")
        time.sleep(down_seconds)
        self.ctl("start_app")
        self.ctl("await_startup")


def available() -> bool:
    return shutil.which("rabbitmq-server") is not None and os.geteuid() == 0


@contextlib.contextmanager
def private_rabbitmq(ready_seconds: float = 240) -> Iterator[RabbitNode]:
    tag = uuid.uuid4().hex[:8]
    root = Path(f"/tmp/sohoa-rabbit-{tag}")
    (root / "mnesia").mkdir(parents=True)
    (root / "log").mkdir()
    port, dist = free_port(), free_port()
    (root / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{port}\nloopback_users = none\n")
    (root / "plugins").write_text("[].\n")
    shutil.chown(root, "rabbitmq", "rabbitmq")
    for child in root.rglob("*"):
        shutil.chown(child, "rabbitmq", "rabbitmq")
    node = RabbitNode(f"sohoa{tag}@localhost", port, root)
    env = {
        **os.environ,
        "RABBITMQ_NODENAME": node.node,
        "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq"),
        "RABBITMQ_DIST_PORT": str(dist),
        "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
        "RABBITMQ_LOG_BASE": str(root / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "plugins"),
        "RABBITMQ_PID_FILE": str(root / "pid"),
    }
    with open(root / "server.log", "wb") as log:
        proc = subprocess.Popen(
            ["rabbitmq-server"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + ready_seconds
        while not node.listening():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "private RabbitMQ did not start: " + (root / "server.log").read_text()[-2000:]
                )
            time.sleep(1)
        yield node
    finally:
        with contextlib.suppress(Exception):
            node.ctl("stop", timeout=60)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
