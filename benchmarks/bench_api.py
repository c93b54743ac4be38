"""The HTTP API under load, and its memory during a large upload.

1. Load: a database of ``--docs`` documents (default 1 million, loaded with bench_lookup's bulk
   loaders; ``--signed`` of them get a signed version) behind a real ``sohoa serve`` process on
   loopback. A second process sends requests at a fixed rate (open loop, ``--rate`` per second
   for ``--seconds``, bounded count) with a light asyncio HTTP/1.1 client (64 keep-alive
   connections; latency counted from when each request was due) and records each latency:
   signed-result fetch (``GET /results/documents/{id}``, the PDF streamed) and lookup
   (``GET /lookup?owner=``). The baseline is ``GET /auth/me`` at the same rate on the same
   server (authentication and one indexed read), so the ratios show what the endpoints add.
   Target: p99 ≤ 50 ms at 200 requests/s on 2 cores.
2. Upload: a ``--pages``-page scanned PDF (default 300, JPEG pages) is uploaded to a fresh
   server process; its peak RSS (VmHWM) before and after is printed. Target < 300 MiB.

    .venv/bin/python benchmarks/bench_api.py --docs 20000 --seconds 5      # quick run
    .venv/bin/python benchmarks/bench_api.py                               # 1M documents
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, text

from benchmarks.bench_lookup import load_postgres, load_sqlite, owner_of
from config.settings import load_settings
from pipeline.accounts import create_api_key, create_user, get_user, issue_token
from storage.db.dossiers import create_dossier
from storage.db.engine import make_engine, run_in_transaction
from storage.db.migrate import upgrade_engine
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store
from tests.live_server import ServeProcess

AGENCY = "000.00.31.H12"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def small_signed_pdf() -> bytes:
    """A stand-in for a signed result (~40 KiB): the fetch streams bytes, it does not verify them."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.Filler = pikepdf.Stream(pdf, os.urandom(40_000))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def add_signed_versions(engine: Engine, store_key: str, size: int, count: int) -> None:
    rows = [(i, "signed", "signed", store_key, store_key, size, "bench") for i in range(1, count + 1)]
    sql = (
        "INSERT INTO document_versions (document_id, kind, bucket, object_key, sha256, size, signed_by, "
        "created_at) VALUES (:d, :k, :b, :o, :s, :z, :by, CURRENT_TIMESTAMP)"
    )
    with engine.begin() as conn:
        for start in range(0, len(rows), 50_000):
            conn.execute(
                text(sql),
                [
                    {"d": d, "k": k, "b": b, "o": o, "s": s, "z": z, "by": by}
                    for d, k, b, o, s, z, by in rows[start : start + 50_000]
                ],
            )


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


async def _fire(url: str, paths: list[str], headers: dict[str, str], rate: float) -> dict[str, Any]:
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

    async def one(path: str, due: float) -> None:
        conn = await conns.get()
        try:
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


def _client_main(url: str, paths: list[str], headers: dict[str, str], rate: float, out: Any) -> None:
    out.put(asyncio.run(_fire(url, paths, headers, rate)))


def load(server: Server, paths: list[str], headers: dict[str, str], rate: float) -> dict[str, Any]:
    """Run the client process; the server's CPU per request is measured around it."""
    cpu_before = server.cpu_seconds()
    result = _run_client(server.url, paths, headers, rate)
    result["server_cpu"] = server.cpu_seconds() - cpu_before  # includes the 20 warm-up requests
    return result


def _run_client(url: str, paths: list[str], headers: dict[str, str], rate: float) -> dict[str, Any]:
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


# -- the big upload --------------------------------------------------------------------------------


def scanned_pdf(path: Path, pages: int) -> Path:
    """A scanner-like PDF: one grey JPEG per A4 page (150 dpi), written page by page."""
    import numpy as np
    import pikepdf
    from PIL import Image

    rng = np.random.default_rng(1)
    pdf = pikepdf.new()
    for i in range(pages):
        pixels = np.full((1754, 1240), 235, dtype=np.uint8)
        for row in range(200, 1600, 40):
            pixels[row : row + 3, 150 : 1100 - (i * 7 + row) % 400] = 30
        pixels = (pixels.astype(np.int16) + rng.integers(-12, 12, pixels.shape)).clip(0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(pixels, "L").save(buf, "JPEG", quality=60, dpi=(150, 150))
        image = pikepdf.Stream(pdf, buf.getvalue())
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = 1240, 1754
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
        image.Filter = pikepdf.Name.DCTDecode
        page = pdf.add_blank_page(page_size=(595.3, 841.9))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pikepdf.Stream(pdf, b"q 595.3 0 0 841.9 0 0 cm /Im0 Do Q")
    pdf.save(path)
    return path


def upload_rss(env: dict[str, str], work: Path, pages: int, headers: dict[str, str], code: str) -> None:
    import httpx

    pdf = scanned_pdf(work / f"scan-{pages}p.pdf", pages)
    size = pdf.stat().st_size
    server = Server(env, work / "server-upload.log")
    try:
        before = server.memory()
        peak = [before["VmRSS"]]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    peak.append(server.memory()["VmRSS"])
                except (OSError, KeyError):
                    return
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        with open(pdf, "rb") as fh:
            response = httpx.post(
                f"{server.url}/dossiers/{code}/scans",
                files={"files": (pdf.name, fh, "application/pdf")},
                headers=headers,
                timeout=600,
            )
        took = time.perf_counter() - started
        stop.set()
        sampler.join()
        after = server.memory()
        mib = 1024 * 1024
        verdict = "OK" if after["VmHWM"] < 300 * mib else "ABOVE TARGET"
        print(
            f"\n== upload of a {pages}-page scanned PDF ({size / mib:.1f} MiB): HTTP {response.status_code} "
            f"in {took:.1f} s ({size / mib / took:.1f} MiB/s)"
        )
        print(
            f"API process RSS: before {before['VmRSS'] / mib:.0f} MiB, "
            f"sampled max {max(peak) / mib:.0f} MiB, "
            f"peak (VmHWM) {after['VmHWM'] / mib:.0f} MiB (target < 300 MiB: {verdict}); growth during "
            f"upload {(max(peak) - before['VmRSS']) / mib:.1f} MiB for a {size / mib:.1f} MiB file"
        )
    finally:
        server.stop()


# -- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--fields", type=int, default=10, help="fields per document")
    parser.add_argument("--signed", type=int, default=100_000, help="documents with a signed version")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each run")
    parser.add_argument("--pages", type=int, default=300, help="pages of the uploaded scan (0: skip)")
    parser.add_argument("--server-workers", type=int, default=1, help="sohoa serve --workers")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        data = work / "data"
        admin: Engine | None = None
        dbname = ""
        if args.backend == "sqlite":
            url = f"sqlite:///{data / 'sohoa.db'}"
        else:
            dbname = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{dbname}"'))
            url = f"{args.pg}/{dbname}"
        settings = load_settings(data_dir=data, database={"url": url})
        engine = make_engine(settings, url=url)
        try:
            upgrade_engine(engine)
            started = time.perf_counter()
            (load_sqlite if args.backend == "sqlite" else load_postgres)(engine, args.docs, args.fields)
            store = open_object_store(settings)
            store.ensure_buckets()
            stored = store.put_bytes(Bucket.SIGNED, small_signed_pdf(), content_type="application/pdf")
            signed = min(args.signed, args.docs)
            add_signed_versions(engine, stored.key, stored.size, signed)
            print(
                f"== {args.backend}: {args.docs:,} documents, {args.docs * args.fields:,} fields, {signed:,} "
                f"signed results loaded in {time.perf_counter() - started:.1f} s"
            )
            key = run_in_transaction(
                engine,
                lambda s: create_api_key(
                    s, "bench", scopes=["results:read", "lookup"], agencies=["*"], actor="bench"
                ),
            )
            run_in_transaction(
                engine,
                lambda s: create_user(
                    s, "bench-clerk", "bench-password", roles=["clerk"], agencies=[AGENCY], actor="bench"
                ),
            )
            code = create_dossier(engine, AGENCY, actor="bench")
        finally:
            engine.dispose()

        env = {
            **os.environ,
            "SOHOA_DATA_DIR": str(data),
            "SOHOA_DATABASE__URL": url,
            "SOHOA_STORAGE__BACKEND": "directory",
        }
        headers = {"X-API-Key": key}
        count = int(args.rate * args.seconds)
        rng = random.Random(7)
        server = Server(env, work / "server.log", args.server_workers)
        try:
            print(
                f"\n== load: {args.rate:.0f} req/s for {args.seconds:.0f} s ({count} requests per run) "
                f"from a second process; server: {args.server_workers} uvicorn process(es); "
                f"{os.cpu_count()} cores, "
                f"load average {os.getloadavg()[0]:.1f} (machine shared with other work)"
            )
            base = load(server, ["/auth/me"] * count, headers, args.rate)
            summarise("baseline GET /auth/me", base, None)
            fetch_paths = [f"/results/documents/{rng.randint(1, signed)}" for _ in range(count)]
            fetch = load(server, fetch_paths, headers, args.rate)
            summarise("signed-result fetch", fetch, base)
            lookup_paths = [f"/lookup?owner={owner_of(rng.randint(1, args.docs))}" for _ in range(count)]
            looked = load(server, lookup_paths, headers, args.rate)
            summarise("lookup", looked, base)
            if args.server_workers == 1:
                rss = server.memory()
                print(f"API process RSS after the load runs: {rss['VmRSS'] / 2**20:.0f} MiB")
        finally:
            server.stop()

        if args.pages > 0:
            engine = make_engine(settings, url=url)
            try:
                token = run_in_transaction(engine, lambda s: issue_token(s, get_user(s, "bench-clerk")).token)
            finally:
                engine.dispose()
            upload_rss(env, work, args.pages, {"Authorization": f"Bearer {token}"}, code)

        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
