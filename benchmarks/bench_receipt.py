"""Receipt with the reuse lookup through the API, on a large store.

A database of ``--docs`` documents (default 1 million, 3 per citizen, bench_lookup's bulk
loaders) with the shipped procedure catalogue, behind a real ``sohoa serve`` on loopback. A second
process sends ``POST /dossiers/receive`` at ``--rate`` per second (open loop, bench_api's client):
each request issues a dossier code, computes the promised date, looks up what the citizen already
holds and links every held component as reused (``reuse_all``), all in one write transaction.
Baselines at the same rate on the same server: ``GET /auth/me`` (authentication and one indexed
read) and ``GET /lookup`` (the read-only lookup). Target: p99 ≤ 50 ms at 50 requests/s.

    .venv/bin/python benchmarks/bench_receipt.py --docs 20000 --seconds 5    # quick run
    .venv/bin/python benchmarks/bench_receipt.py                             # 1M documents
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from benchmarks.api_load import Server, baseline, bench_key, load, load_parser, serve_env, summarise
from benchmarks.bench_lookup import load_sqlite, owner_of
from config.settings import load_settings
from pipeline.dossier.catalogue import ensure_default_catalogue
from storage.db.engine import make_engine, read_session, run_in_transaction
from storage.db.migrate import upgrade_engine
from storage.db.models import DossierComponent

AGENCY = "000.00.31.H12"
PROCEDURE = "1.000894"  # marriage registration: application_form, cccd, marital_status_confirmation


def main() -> int:
    args = load_parser(__doc__, rate=50.0).parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-receipt-") as tmp:
        work = Path(tmp)
        data = work / "data"
        url = f"sqlite:///{data / 'sohoa.db'}"
        settings = load_settings(data_dir=data, database={"url": url})
        engine = make_engine(settings, url=url)
        try:
            upgrade_engine(engine)
            started = time.perf_counter()
            load_sqlite(engine, args.docs, args.fields)
            run_in_transaction(engine, ensure_default_catalogue)
            print(
                f"== sqlite: {args.docs:,} documents, {args.docs * args.fields:,} fields loaded in "
                f"{time.perf_counter() - started:.1f} s"
            )
            headers = bench_key(engine, ["intake", "lookup"])
        finally:
            engine.dispose()
        count = int(args.rate * args.seconds)
        rng = random.Random(11)
        server = Server(serve_env(data, url), work / "server.log")
        try:
            base = baseline(server, headers, args.rate, count)
            owners = [owner_of(rng.randint(1, args.docs)) for _ in range(count + 20)]
            looked = load(
                server,
                [f"/api/v1/lookup?owner={o}&procedure={PROCEDURE}" for o in owners[:count]],
                headers,
                args.rate,
            )
            summarise("lookup (read only)", looked, base)
            bodies = [
                (
                    "/api/v1/dossiers/receive",
                    json.dumps(
                        {"agency": AGENCY, "procedure": PROCEDURE, "applicant": o, "reuse_all": True}
                    ).encode(),
                )
                for o in owners
            ]
            received = load(server, bodies, headers, args.rate)
            summarise("receipt + reuse", received, base)
        finally:
            server.stop()
        engine = make_engine(settings, url=url)
        try:
            with read_session(engine) as session:
                reused = session.scalar(select(func.count()).where(DossierComponent.reused.is_(True)))
        finally:
            engine.dispose()
        print(f"components linked as reused by the receipts: {reused}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
