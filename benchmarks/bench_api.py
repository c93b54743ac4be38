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

import io
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, create_engine, text

from benchmarks.api_load import Server, baseline, bench_key, load, load_parser, serve_env, summarise
from benchmarks.bench_lookup import load_postgres, load_sqlite, owner_of
from config.settings import load_settings
from pipeline.accounts import create_user, get_user, issue_token
from storage.db.dossiers import create_dossier
from storage.db.engine import make_engine, run_in_transaction
from storage.db.migrate import upgrade_engine
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store

AGENCY = "000.00.31.H12"


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
                f"{server.url}/api/v1/dossiers/{code}/scans",
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
    parser = load_parser(__doc__, rate=200.0)
    parser.add_argument("--signed", type=int, default=100_000, help="documents with a signed version")
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
            headers = bench_key(engine, ["results:read", "lookup"])
            run_in_transaction(
                engine,
                lambda s: create_user(
                    s, "bench-clerk", "bench-password", roles=["clerk"], agencies=[AGENCY], actor="bench"
                ),
            )
            code = create_dossier(engine, AGENCY, actor="bench")
        finally:
            engine.dispose()

        env = serve_env(data, url)
        count = int(args.rate * args.seconds)
        rng = random.Random(7)
        server = Server(env, work / "server.log", args.server_workers)
        try:
            note = f"server: {args.server_workers} uvicorn process(es); "
            base = baseline(server, headers, args.rate, count, note)
            fetch_paths = [f"/api/v1/results/documents/{rng.randint(1, signed)}" for _ in range(count)]
            fetch = load(server, fetch_paths, headers, args.rate)
            summarise("signed-result fetch", fetch, base)
            lookup_paths = [
                f"/api/v1/lookup?owner={owner_of(rng.randint(1, args.docs))}" for _ in range(count)
            ]
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
