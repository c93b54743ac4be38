"""Receipt with the reuse lookup through the API, on a large store.

A database of ``--docs`` documents (default 1 million, 3 per citizen, bench_lookup's bulk
loaders) with the shipped procedure catalogue, behind a real ``sohoa serve`` on loopback. A second
process sends ``POST /dossiers/receive`` at ``--rate`` per second (open loop, bench_api's client):
each request issues a dossier code, computes the promised date, looks up what the citizen already
holds and links every held component as reused (``reuse_all``), all in one write transaction.
Baselines at the same rate on the same server: ``GET /auth/me`` (authentication and one indexed
read) and ``GET /lookup`` (the read-only lookup). Target: p99 ≤ 50 ms at 50 requests/s.

Before the HTTP runs, the same receipts in this process: CPU time and SQL statements per
receipt (the load-independent figures: the machine may be shared), and the plan of the offer
query (index seeks by owner id).

    .venv/bin/python benchmarks/bench_receipt.py --docs 20000 --seconds 5    # quick run
    .venv/bin/python benchmarks/bench_receipt.py                             # 1M documents, SQLite
    .venv/bin/python benchmarks/bench_receipt.py --backend postgresql        # 1M, PostgreSQL
    .venv/bin/python benchmarks/bench_receipt.py --data /tmp/r1m             # keep the store; reuse it
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, event, func, select, text

from benchmarks.bench_api import Server, load, summarise
from benchmarks.bench_lookup import load_postgres, load_sqlite, owner_of
from config.settings import load_settings
from pipeline.accounts import create_api_key
from pipeline.dossier.catalogue import ensure_default_catalogue
from pipeline.dossier.receive import receive
from pipeline.dossier.snapshot import ReceiptCatalogue
from storage.db.engine import make_engine, read_session, run_in_transaction
from storage.db.migrate import upgrade_engine
from storage.db.models import Document, DossierComponent

AGENCY = "000.00.31.H12"
PROCEDURE = "1.000894"  # marriage registration: application_form, cccd, marital_status_confirmation
LOADED_MARK = "loaded.json"


@contextmanager
def database(backend: str, data: Path, pg: str) -> Iterator[str]:
    """The URL of the store: a file under ``data`` (SQLite) or a new database (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{data / 'sohoa.db'}"
        return
    dbname = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    try:
        yield f"{pg}/{dbname}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()


def build(engine: Engine, data: Path, docs: int, fields: int) -> None:
    """Load the documents unless ``data`` already holds a store of this size (``--data``)."""
    mark = data / LOADED_MARK
    if engine.dialect.name == "sqlite" and mark.exists() and json.loads(mark.read_text()) == [docs, fields]:
        print(f"== sqlite: reusing the store of {docs:,} documents in {data}")
        return
    upgrade_engine(engine)
    started = time.perf_counter()
    (load_sqlite if engine.dialect.name == "sqlite" else load_postgres)(engine, docs, fields)
    run_in_transaction(engine, ensure_default_catalogue)
    print(
        f"== {engine.dialect.name}: {docs:,} documents, {docs * fields:,} fields loaded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    if engine.dialect.name == "sqlite":
        mark.write_text(json.dumps([docs, fields]))


def in_process(engine: Engine, owners: list[str], count: int) -> None:
    """CPU time and statements per receipt, as the API runs it (one write transaction each)."""
    catalogue = ReceiptCatalogue()
    statements: list[str] = []

    def count_statement(*_args: object) -> None:
        statements.append("")

    def one(owner: str) -> None:
        run_in_transaction(
            engine,
            lambda s: receive(
                s,
                agency=AGENCY,
                procedure=PROCEDURE,
                applicant_id=owner,
                actor="bench",
                reuse=None,
                catalogue=catalogue,
            ),
        )

    for owner in owners[:20]:  # warm-up: connections, statement cache, the snapshot
        one(owner)
    event.listen(engine, "before_cursor_execute", count_statement)
    cpu: list[float] = []
    try:
        for owner in owners[20 : 20 + count]:
            started = time.thread_time()
            one(owner)
            cpu.append(time.thread_time() - started)
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    print(
        f"in process, {len(cpu)} receipts with reuse_all: CPU median {statistics.median(cpu) * 1000:.2f} ms, "
        f"mean {statistics.fmean(cpu) * 1000:.2f} ms per receipt; "
        f"{len(statements) / len(cpu):.1f} SQL statements per receipt "
        "(SQLite counts its BEGIN IMMEDIATE; COMMIT not counted)"
    )


def explain_offer(engine: Engine, owner: str) -> str:
    from pipeline.reuse import _OFFER_QUERY

    query = _OFFER_QUERY.params(owner=owner, types=["cccd", "application_form"], today=date(2026, 12, 1))
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True, "render_postcompile": True}))
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        return "\n  ".join(" ".join(str(c) for c in row) for row in conn.exec_driver_sql(prefix + sql))


def run(args: argparse.Namespace, backend: str, data: Path) -> None:
    with database(backend, data, args.pg) as url:
        settings = load_settings(data_dir=data, database={"url": url})
        engine = make_engine(settings, url=url)
        rng = random.Random(11)
        count = int(args.rate * args.seconds)
        owners = [owner_of(rng.randint(1, args.docs)) for _ in range(2 * count + 40 + args.receipts)]
        try:
            build(engine, data, args.docs, args.fields)
            print("offer query plan:\n  " + explain_offer(engine, owners[0]))
            in_process(engine, owners[2 * count + 40 :], args.receipts)
            key = run_in_transaction(
                engine,
                lambda s: create_api_key(
                    s, f"bench-{uuid.uuid4().hex[:8]}", scopes=["intake", "lookup"], agencies=["*"], actor="b"
                ),
            )
        finally:
            engine.dispose()
        env = {
            **os.environ,
            "SOHOA_DATA_DIR": str(data),
            "SOHOA_DATABASE__URL": url,
            "SOHOA_STORAGE__BACKEND": "directory",
        }
        headers = {"X-API-Key": key}
        server = Server(env, data / "server.log")
        try:
            print(
                f"\n== {backend}, load: {args.rate:.0f} req/s for {args.seconds:.0f} s ({count} requests "
                f"per run) from a second process; {os.cpu_count()} cores, load average "
                f"{os.getloadavg()[0]:.1f} (machine shared with other work)"
            )
            base = load(server, ["/auth/me"] * count, headers, args.rate)
            summarise("baseline GET /auth/me", base, None)
            looked = load(
                server,
                [f"/lookup?owner={o}&procedure={PROCEDURE}" for o in owners[:count]],
                headers,
                args.rate,
            )
            summarise("lookup (read only)", looked, base)
            bodies = [
                (
                    "/dossiers/receive",
                    json.dumps(
                        {"agency": AGENCY, "procedure": PROCEDURE, "applicant": o, "reuse_all": True}
                    ).encode(),
                )
                for o in owners[count : 2 * count + 20]
            ]
            received = load(server, bodies, headers, args.rate)
            summarise("receipt + reuse", received, base)
            print(f"load average after the runs {os.getloadavg()[0]:.1f}")
        finally:
            server.stop()
        engine = make_engine(settings, url=url)
        try:
            with read_session(engine) as session:
                reused = session.scalar(select(func.count()).where(DossierComponent.reused.is_(True)))
                total = session.scalar(select(func.count()).select_from(Document))
        finally:
            engine.dispose()
        print(f"components linked as reused so far: {reused}; documents in the store: {total:,}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--fields", type=int, default=10, help="fields per document")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each run")
    parser.add_argument("--receipts", type=int, default=500, help="receipts timed in process")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--data", type=Path, help="keep the SQLite store here and reuse it next time (same --docs)"
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if args.data is not None and backend == "sqlite":
            args.data.mkdir(parents=True, exist_ok=True)
            run(args, backend, args.data)
            continue
        with tempfile.TemporaryDirectory(prefix="bench-receipt-") as tmp:
            run(args, backend, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
