"""Start-up of the ``sohoa`` command line, against baselines measured in the same run.

1. ``sohoa --help`` and ``sohoa --version`` (the installed console script) against a bare
   ``python -c 'import typer'``; target within 3×. The "eager" row imports every command module,
   which is what the entry point did before commands were registered lazily.
2. ``sohoa verify --help`` and ``sohoa export --help`` with the same baseline.
3. ``sohoa ocr`` on one page against the OCR work itself: ``pipeline.ocr_run.ocr_file`` called
   from a fresh ``python -c`` (interpreter, the pipeline's own imports, the OCR: what a script
   using the library pays), target ≤ 0.3 s above it; and, for scale, the same call warm in this
   process (no interpreter start, no imports).

Each figure is the best of ``--runs`` wall-clock runs (the machine is shared: the minimum is the
least disturbed).

    .venv/bin/python benchmarks/bench_startup.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCAN = ROOT / "tests" / "data" / "scans" / "clean_birth_certificate.pdf"
SOHOA = Path(sys.executable).parent / "sohoa"


def best_of(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        res = subprocess.run(list(argv), capture_output=True, cwd=ROOT, env=env)
        elapsed = time.perf_counter() - started
        if res.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.decode()[-400:]}")
        best = min(best, elapsed)
    return best


def eager_import_code() -> str:
    from pipeline.cli.main import COMMANDS

    modules = sorted({c.module for c in COMMANDS})
    return "import " + ", ".join(modules)


def ocr_work(runs: int) -> float:
    """The OCR of one page in this process, imports and Tesseract's model already warm."""
    from config.settings import load_settings
    from pipeline.ocr_run import ocr_file

    settings = load_settings()
    best = float("inf")
    for _ in range(runs + 1):  # the first run warms imports and caches
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            ocr_file(SCAN, settings, Path(tmp))
            best = min(best, time.perf_counter() - started)
    return best


LIBRARY_CALL = (
    "import sys, tempfile; from pathlib import Path; from config.settings import load_settings; "
    "from pipeline.ocr_run import ocr_file; "
    "d = tempfile.TemporaryDirectory(); ocr_file(Path(sys.argv[1]), load_settings(), Path(d.name))"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    env = {**os.environ, "SOHOA_OCR__JOBS": "1"}

    baseline = best_of([py, "-c", "import typer"], args.runs)
    rows = [
        ("sohoa --help", best_of([str(SOHOA), "--help"], args.runs)),
        ("sohoa --version", best_of([str(SOHOA), "--version"], args.runs)),
        ("sohoa verify --help", best_of([str(SOHOA), "verify", "--help"], args.runs)),
        ("sohoa export --help", best_of([str(SOHOA), "export", "--help"], args.runs)),
        ("eager import of every command (before)", best_of([py, "-c", eager_import_code()], args.runs)),
    ]
    print(f"load average: {os.getloadavg()[0]:.1f}; best of {args.runs} runs")
    print(f"{'baseline: python -c import typer':44s} {baseline:7.3f} s   1.00×")
    for name, seconds in rows:
        print(f"{name:44s} {seconds:7.3f} s  {seconds / baseline:5.2f}×")
    print("target: sohoa --help and --version within 3.00× of the baseline")

    if args.skip_ocr:
        return
    work = ocr_work(args.runs)
    library = best_of([py, "-c", LIBRARY_CALL, str(SCAN)], args.runs, env=env)
    whole = best_of([str(SOHOA), "ocr", str(SCAN), "-q"], args.runs, env=env)
    print(f"\n{'OCR of one page, warm in this process':44s} {work:7.3f} s")
    print(f"{'OCR of that page, fresh python -c (baseline)':44s} {library:7.3f} s")
    print(f"{'sohoa ocr on that page (whole command)':44s} {whole:7.3f} s")
    print(f"{'sohoa ocr above the fresh-process OCR':44s} {whole - library:+7.3f} s   (target ≤ +0.300 s)")
    print(f"{'sohoa ocr above the warm OCR':44s} {whole - work:+7.3f} s")


if __name__ == "__main__":
    main()
