"""Where stamps land on generated documents: on the page in free space, or on an added page.

For every document type the generator makes, the last page (A4 scans; CCCD fronts at card
size) is written as an image PDF and the official's stamp, then the seal, are placed by
``signing.placement`` exactly as signing places them. Each box is checked against the page's
ink rendered at 72 dpi (no ink pixel under it); the share placed on the page, the scale of the
stamps and the time per placement are printed. No signature is made here: tests/signing
check that the drawn stamp stays inside its box and that pdfsig accepts the result.

    .venv/bin/python benchmarks/bench_placement.py --per-type 4
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from signing.appearance import StampKind, stamp_size
from signing.placement import BOTTOM_FIRST, PageGeometry, SpacePlanner, ink_mask, render_gray
from tests.datagen.generate import RENDERERS


def _pdf(img: object, dpi: float) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "PDF", resolution=dpi)  # type: ignore[attr-defined]
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-type", type=int, default=4)
    args = ap.parse_args()
    print(f"{'type':22} {'pages':>5} {'on page':>8} {'over ink':>8} {'scale':>6} {'ms/placement':>12}")
    for doc_type, render in RENDERERS.items():
        placed = inked = 0
        scales: list[float] = []
        seconds = 0.0
        for i in range(args.per_type):
            doc = render(random.Random(f"bench-place:{doc_type}:{i}"))
            page = doc.pages[0] if doc_type == "cccd" else doc.pages[-1]
            data = _pdf(page, 300.0)
            w, h = page.size[0] * 72 / 300, page.size[1] * 72 / 300
            geom = PageGeometry((0.0, 0.0, w, h), 0)
            started = time.perf_counter()
            planner = SpacePlanner(data, [geom])
            kinds = (StampKind.OFFICIAL, StampKind.SEAL)
            boxes = [planner.find(0, stamp_size(k), BOTTOM_FIRST) for k in kinds]
            seconds += time.perf_counter() - started
            ink = ink_mask(render_gray(data, 0, 72.0))
            for kind, box in zip(kinds, boxes, strict=True):
                if box is None:
                    continue
                placed += 1
                scales.append((box[2] - box[0]) / stamp_size(kind)[0])
                u0, v0, u1, v1 = geom.to_display(box)
                if ink[int(v0) : int(np.ceil(v1)), int(u0) : int(np.ceil(u1))].any():
                    inked += 1
        n = 2 * args.per_type
        scale = f"{min(scales):.2f}" if scales else "-"
        print(f"{doc_type:22} {n:>5} {placed / n:>8.0%} {inked:>8} {scale:>6} {seconds / n * 1000:>12.0f}")
    print("on page: stamps placed in free space of the page (the rest go on an added signature page)")
    print("over ink: placed boxes with any ink under them (must be 0); scale: smallest stamp scale")


if __name__ == "__main__":
    main()
