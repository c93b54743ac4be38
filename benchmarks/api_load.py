"""The API load loop the HTTP benchmarks share: a real ``sohoa serve``, an open-loop client.

:class:`Server` is ``sohoa serve`` on loopback with its memory and CPU readings; :func:`load` sends
requests at a fixed rate from a second process (open loop, latency counted from when each request
was due) and :func:`summarise` prints p50/p99 against a baseline run at the same rate on the same
server. :func:`serve_env`, :func:`bench_key` and :func:`baseline` are the set-up every API
benchmark repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine

from pipeline.accounts import create_api_key
from storage.db.engine import run_in_transaction
from tests.live_server import ServeProcess


def load_parser(doc: str | None, rate: float) -> argparse.ArgumentParser:
    """The options every API load benchmark takes: store size and the open-loop rate."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--fields", type=int, default=10, help="fields per document")
    parser.add_argument("--rate", type=float, default=rate, help="requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each run")
    return parser


def serve_env(data: Path, url: str) -> dict[str, str]:
    """The environment of a benchmark's ``sohoa serve``: its data folder and database, files on disk."""
    return {
        **os.environ,
        "SOHOA_DATA_DIR": str(data),
        "SOHOA_DATABASE__URL": url,
        "SOHOA_STORAGE__BACKEND": "directory",
    }


def bench_key(engine: Engine, scopes: list[str]) -> dict[str, str]:
    """The headers of a new every-agency API key with ``scopes``."""
    raw = run_in_transaction(
        engine, lambda s: create_api_key(s, "bench", scopes=scopes, agencies=["*"], actor="bench")
    )
    return {"X-API-Key": raw}


def baseline(
    server: Server, headers: dict[str, str], rate: float, count: int, note: str = ""
) -> dict[str, Any]:
    """``GET /api/v1/auth/me`` at ``rate`` (authentication and one indexed read), printed first."""
    print(
        f"\n== load: {rate:.0f} req/s for {count / rate:.0f} s ({count} requests per run) from a second "
        f"process; {note}{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
        "(machine shared with other work)"
    )
    base = load(server, ["/api/v1/auth/me"] * count, headers, rate)
    summarise("baseline GET /auth/me", base, None)
    return base


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- the server -----------------------------------------------------------------------------------


class Server(ServeProcess):
    """``sohoa serve`` without its intake worker, at info logging, with memory and CPU readings."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1) -> None:
        super().__init__(env, log, *(["--workers", str(workers)] if workers > 1 else []))

    def memory(self) -> dict[str, int]:
        values: dict[str, int] = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
        return values

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its worker processes so far."""
        total = 0.0
        for pid in [self.proc.pid, *self._children()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def _children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                if ppid == self.proc.pid:
                    found.append(int(entry.name))
        return found


# -- the load generator (a second process) -------------------------------------------------------


class _Connection:
    """One keep-alive HTTP/1.1 connection, hand-driven: a few microseconds of client CPU per request
    (an httpx client spends milliseconds, enough to make the load generator the bottleneck)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        if b"transfer-encoding: chunked" in lower:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            at = lower.index(b"content-length:") + len(b"content-length:")
            length = int(lower[at : lower.index(b"\r\n", at)])
            await self.reader.readexactly(length)
        return status


async def _fire(url: str, paths: list[Any], headers: dict[str, str], rate: float) -> dict[str, Any]:
    """Open loop at ``rate``: request i is due at t0 + i/rate; its latency counts from that moment,
    so time spent waiting for a free connection (the server falling behind) is included."""
    host, port = url.removeprefix("http://").split(":")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    conns: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(64):
        reader, writer = await asyncio.open_connection(host, int(port))
        conns.put_nowait(_Connection(reader, writer))
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def one(path: str | tuple[str, bytes], due: float) -> None:
        conn = await conns.get()
        try:
            if isinstance(path, tuple):  # (path, JSON body): a POST
                target, body = path
                request = (
                    f"POST {target} HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode() + body
            else:
                request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()
            status = await asyncio.wait_for(conn.get(request), 60)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            reader, writer = await asyncio.open_connection(host, int(port))
            conns.put_nowait(_Connection(reader, writer))
            return
        conns.put_nowait(conn)
        if status != 200:
            errors[str(status)] = errors.get(str(status), 0) + 1
            return
        latencies.append(time.perf_counter() - due)

    for warm in paths[:20]:  # connections and caches
        await one(warm, time.perf_counter())
    latencies.clear()
    errors.clear()
    tasks = []
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for i, path in enumerate(paths):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(path, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    client_cpu = time.process_time() - cpu0
    while not conns.empty():
        conns.get_nowait().writer.close()
    return {
        "latencies": latencies,
        "errors": errors,
        "elapsed": elapsed,
        "sent": len(paths),
        "client_cpu": client_cpu,
    }


def _client_main(url: str, paths: list[Any], headers: dict[str, str], rate: float, out: Any) -> None:
    out.put(asyncio.run(_fire(url, paths, headers, rate)))


def load(server: Server, paths: list[Any], headers: dict[str, str], rate: float) -> dict[str, Any]:
    """Run the client process; the server's CPU per request is measured around it."""
    cpu_before = server.cpu_seconds()
    result = _run_client(server.url, paths, headers, rate)
    result["server_cpu"] = server.cpu_seconds() - cpu_before  # includes the 20 warm-up requests
    return result


def _run_client(url: str, paths: list[Any], headers: dict[str, str], rate: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_client_main, args=(url, paths, headers, rate, queue))
    proc.start()
    result: dict[str, Any] = queue.get(timeout=len(paths) / rate + 300)
    proc.join(timeout=30)
    return result


def summarise(name: str, result: dict[str, Any], base: dict[str, Any] | None) -> dict[str, float]:
    lat = [x * 1000 for x in result["latencies"]]
    if not lat:
        print(f"{name}: no successful request; errors {result['errors']}")
        return {}
    p50, p99 = statistics.median(lat), percentile(lat, 0.99)
    achieved = len(lat) / result["elapsed"]
    verdict = "OK" if p99 <= 50 else "ABOVE TARGET"
    line = (
        f"{name:<22} {len(lat):>6} ok, errors {result['errors'] or 0}; p50 {p50:6.2f} ms, "
        f"p99 {p99:6.2f} ms, max {max(lat):7.2f} ms; {achieved:6.1f} req/s (target p99 ≤ 50 ms: {verdict})"
    )
    n = result["sent"] + 20
    line += (
        f"; server CPU {result['server_cpu'] / n * 1000:.2f} ms/request, "
        f"client CPU {result['client_cpu'] / result['sent'] * 1000:.2f} ms/request"
    )
    if base and base["latencies"]:
        b = [x * 1000 for x in base["latencies"]]
        line += f"; vs baseline p50 {p50 / statistics.median(b):.2f}x, p99 {p99 / percentile(b, 0.99):.2f}x"
    print(line)
    return {"p50_ms": p50, "p99_ms": p99, "rps": achieved}
