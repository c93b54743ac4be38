"""Files of the field benchmark's family-2 set (``benchmarks/bench_fields.py``), rebuilt for tests.

Only files of the *tune* split are used by tests: the held-back ones stay unseen.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.datagen.family2.generate import KINDS, build, split_of
from tests.datagen.writer import write_scan

SEED = "bench-fields:f2"  # bench_fields' default seed for family 2
CT01_DEGRADED = 47  # f2_0048: CT01 typed, JPEG 54, low contrast; dob slots read "ÔỞ „11 , 1984"
MARRIAGE = 50  # f2_0051: marriage certificate, clean; right dates at word confidence 0.55


def family2_file(index: int, out: Path) -> tuple[Path, dict[str, str]]:
    """File ``index`` (0-based) of the benchmark's family-2 set, and its truth fields."""
    if split_of(SEED, index) != "tune":
        raise ValueError(f"file {index} is held back: tests do not use it")
    built = build(KINDS[index % len(KINDS)], random.Random(f"{SEED}:{index}"), f"f2_{index + 1:04d}", "tune")
    path = write_scan(built, out)
    truth = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))
    return path, dict(truth["documents"][0]["fields"])
