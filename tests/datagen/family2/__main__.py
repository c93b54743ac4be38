"""``python -m tests.datagen.family2 --out DIR --count N --seed S``"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.datagen.family2.generate import generate_set


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--count", type=int, default=56)
    ap.add_argument("--seed", default="family2")
    args = ap.parse_args(argv)
    for path in generate_set(args.out, args.count, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
