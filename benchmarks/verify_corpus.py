"""Run ``sohoa verify`` over a directory of third-party PDFs and compare with recorded verdicts.

The corpora (pyHanko's and DSS's public test files) are not part of sohoa: fetch them, copy
their PDFs to a directory and name it with ``SOHOA_VERIFY_CORPUS`` (or ``--dir``). Each file
gets a verdict: ``error`` (refused as input, with a reason), ``unsigned``, or the status of
every signature (``valid``, ``untrusted``, ``modified``, ...) joined by ``+``. A crash is any
other exception. ``--record`` writes the table (name, sha256, verdict) that
tests/signing/test_verify_corpus.py checks; without it the run prints differences and counts.

    SOHOA_VERIFY_CORPUS=/tmp/corpus/pyhanko .venv/bin/python benchmarks/verify_corpus.py \\
        --table tests/data/verify_corpus/pyhanko.csv --trust /tmp/pyhanko-root.pem

File names in the tables: pyHanko's ``internal/common-test-utils/src/pyhanko_testing_commons/
test_data/data/pdf/A/B.pdf`` is ``A__B.pdf``; DSS's ``M/src/test/resources/A/B.pdf`` is
``M__A__B.pdf`` (``git --git-dir=... show COMMIT:path > file``). Recorded from pyHanko
7db4e6fe (its ``testing-ca/root/root.cert.pem`` trusted) and DSS d9473b8efe (no extra trust).
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from signing.verify import VerifyInputError, verify_pdf


def verdict(path: Path, trust: list[Path]) -> str:
    """One line that sums up what sohoa says about ``path`` (offline: no network here)."""
    try:
        report = verify_pdf(path, trust_roots=trust, allow_fetching=False)
    except VerifyInputError:
        return "error"
    if not report.signatures:
        return "unsigned"
    out = "+".join(s.status for s in report.signatures)
    if report.stripped_signatures:
        out += "+stripped"
    return ("VALID:" if report.valid else "") + out


def _quiet() -> None:
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=os.environ.get("SOHOA_VERIFY_CORPUS"))
    ap.add_argument("--table", type=Path, required=True)
    ap.add_argument("--record", action="store_true", help="write the table instead of comparing")
    ap.add_argument("--trust", type=Path, action="append", default=[])
    args = ap.parse_args()
    if args.dir is None or not args.dir.is_dir():
        print("no corpus directory (--dir or SOHOA_VERIFY_CORPUS)")
        return 2
    _quiet()
    expected = {}
    if args.table.exists() and not args.record:
        with args.table.open() as f:
            expected = {row["file"]: row for row in csv.DictReader(f)}
    rows, counts, crashes, diffs = [], collections.Counter(), 0, 0
    start = time.perf_counter()
    for path in sorted(args.dir.glob("*.pdf")):
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            got = verdict(path, args.trust)
        except Exception as exc:  # a crash: what the verifier must never do
            got = f"CRASH:{type(exc).__name__}"
            crashes += 1
        counts[got.split(":")[0] if got.startswith("CRASH") else got] += 1
        rows.append({"file": path.name, "sha256": sha, "verdict": got})
        want = expected.get(path.name)
        if want is not None and (want["verdict"] != got or want["sha256"] != sha):
            diffs += 1
            print(f"DIFF {path.name}: expected {want['verdict']}, got {got}")
    took = time.perf_counter() - start
    if args.record:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        with args.table.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["file", "sha256", "verdict"])
            w.writeheader()
            w.writerows(rows)
    print(f"{len(rows)} files in {took:.1f} s ({took / max(1, len(rows)):.2f} s/file); crashes: {crashes}")
    for k, v in counts.most_common():
        print(f"  {v:4d}  {k}")
    if expected:
        print(f"differences from {args.table}: {diffs}")
    return 1 if crashes or diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
