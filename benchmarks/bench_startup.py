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
import resource
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


CPU: dict[str, float] = {}  # best CPU seconds (user + system, the command and its children) by argv


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(argv: Sequence[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Best wall time of ``runs`` runs; the best CPU time is kept in :data:`CPU` (less load-bound)."""
    best = cpu_best = float("inf")
    for _ in range(runs):
        cpu_before = _children_cpu()
        started = time.perf_counter()
        res = subprocess.run(list(argv), capture_output=True, cwd=ROOT, env=env)
        elapsed = time.perf_counter() - started
        if res.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.decode()[-400:]}")
        best = min(best, elapsed)
        cpu_best = min(cpu_best, _children_cpu() - cpu_before)
    CPU[" ".join(argv)] = cpu_best
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

    commands = {
        "sohoa --help": [str(SOHOA), "--help"],
        "sohoa --version": [str(SOHOA), "--version"],
        "sohoa verify --help": [str(SOHOA), "verify", "--help"],
        "sohoa export --help": [str(SOHOA), "export", "--help"],
        "eager import of every command (before)": [py, "-c", eager_import_code()],
    }
    base_argv = [py, "-c", "import typer"]
    baseline = best_of(base_argv, args.runs)
    base_cpu = CPU[" ".join(base_argv)]
    rows = [(name, best_of(argv, args.runs), argv) for name, argv in commands.items()]
    print(f"load average: {os.getloadavg()[0]:.1f}; best of {args.runs} runs; wall and CPU (user+sys)")
    line = "{:44s} {:7.3f} s  {:5.2f}×   cpu {:6.3f} s  {:5.2f}×"
    print(line.format("baseline: python -c import typer", baseline, 1.0, base_cpu, 1.0))
    for name, seconds, argv in rows:
        cpu = CPU[" ".join(argv)]
        print(line.format(name, seconds, seconds / baseline, cpu, cpu / base_cpu))
    print("target: sohoa --help and --version within 3.00× of the baseline")

    if args.skip_ocr:
        return
    work = ocr_work(args.runs)
    library_argv = [py, "-c", LIBRARY_CALL, str(SCAN)]
    whole_argv = [str(SOHOA), "ocr", str(SCAN), "-q"]
    library = best_of(library_argv, args.runs, env=env)
    whole = best_of(whole_argv, args.runs, env=env)
    library_cpu, whole_cpu = CPU[" ".join(library_argv)], CPU[" ".join(whole_argv)]
    print(f"\n{'OCR of one page, warm in this process':44s} {work:7.3f} s")
    print(f"{'OCR of that page, fresh python -c (baseline)':44s} {library:7.3f} s")
    print(f"{'sohoa ocr on that page (whole command)':44s} {whole:7.3f} s")
    print(f"{'sohoa ocr above the fresh-process OCR':44s} {whole - library:+7.3f} s   (target ≤ +0.300 s)")
    print(f"{'sohoa ocr above the warm OCR':44s} {whole - work:+7.3f} s")
    print(f"{'CPU: fresh-process OCR / sohoa ocr':44s} {library_cpu:7.3f} s / {whole_cpu:.3f} s  "
          f"({whole_cpu - library_cpu:+.3f} s; Tesseract included)")


if __name__ == "__main__":
    main()
