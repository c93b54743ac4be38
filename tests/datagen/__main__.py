"""Command line: ``python -m tests.datagen --out DIR --count N --seed S --profile P [--types a,b]``
or ``python -m tests.datagen fixed [--out tests/data/scans]`` to regenerate the committed set."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.datagen.generate import DOC_TYPES, PROFILES, generate_set


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.datagen", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["generate", "fixed"], default="generate")
    parser.add_argument("--out", type=Path, help="output directory (fixed: default tests/data/scans)")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", default="2026")
    parser.add_argument("--profile", choices=PROFILES, default="mixed")
    parser.add_argument("--types", default=",".join(DOC_TYPES), help=f"comma-separated subset of {DOC_TYPES}")
    args = parser.parse_args(argv)

    try:
        paths = _run(parser, args)
    except OSError as exc:  # an unwritable --out, a full disk: one line, no traceback
        parser.exit(1, f"{parser.prog}: error: {exc.strerror or exc}: {exc.filename or args.out}\n")
    for p in paths:
        print(p)
    return 0


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Path]:
    if args.command == "fixed":
        from tests.datagen.fixed import FIXED_DIR, generate_fixed

        paths = generate_fixed(args.out or FIXED_DIR)
    else:
        if args.out is None:
            parser.error("--out is required")
        types = [t.strip() for t in args.types.split(",") if t.strip()]
        unknown = sorted(set(types) - set(DOC_TYPES))
        if unknown or not types:
            parser.error(f"unknown document types: {', '.join(unknown) or '(none given)'}")
        if args.count < 1:
            parser.error("--count must be at least 1")
        paths = generate_set(args.out, args.count, args.seed, args.profile, types)
    return paths


if __name__ == "__main__":
    sys.exit(main())
