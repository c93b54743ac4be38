"""Family 2 sets: plans, degradation (the same scanner model as family 1), files with truth."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.datagen.degrade import apply
from tests.datagen.family2.ct01 import ct01
from tests.datagen.family2.layouts import RENDERERS2, Doc
from tests.datagen.generate import profile_steps
from tests.datagen.writer import OutFile, OutPage, write_scan

KINDS = (*RENDERERS2, "ct01")
HELD_SHARE = 0.3


def split_of(seed: str, index: int) -> str:
    """ "held" for ~30 % of the files, chosen by the seed alone: never tuned on."""
    return "held" if random.Random(f"{seed}:split:{index}").random() < HELD_SHARE else "tune"


def render(kind: str, rng: random.Random) -> Doc:
    return ct01(rng) if kind == "ct01" else RENDERERS2[kind](rng)


def build(kind: str, rng: random.Random, stem: str, split: str) -> OutFile:
    doc = render(kind, rng)
    profile = rng.choices(["clean", "degraded"], weights=[45, 55])[0]
    dpi = 300 if profile == "clean" else rng.choice([250, 300])
    colour = rng.random() < 0.5
    fmt = "pdf" if len(doc.pages) > 1 else rng.choices(["pdf", "jpeg", "png"], weights=[70, 20, 10])[0]
    pages: list[OutPage] = []
    degradations: list[dict[str, Any]] = []
    info: list[dict[str, Any]] = []
    for n, img in enumerate(doc.pages, start=1):
        steps = [s for s in profile_steps(rng, profile) if s["step"] != "jpeg" or fmt != "png"]
        steps += [{"step": "resample", "dpi": dpi}, {"step": "mode", "colour": colour}]
        out = apply(img, steps, rng.getrandbits(32))
        pages.append(OutPage(out, dpi))
        degradations += [{"page": n, **s} for s in steps if s["step"] not in ("resample", "mode")]
        skew = sum(float(s["angle"]) for s in steps if s["step"] == "skew")
        info.append(
            {
                "page": n,
                "width": out.width,
                "height": out.height,
                "dpi": dpi,
                "dpi_in_file": True,
                "mode": out.mode,
                "rotated_ccw": 0,
                "upright_rotation": 0,
                "skew_ccw": skew,
            }
        )
    truth = {
        "format": fmt,
        "pages": len(pages),
        "profile": profile,
        "family": 2,
        "split": split,
        "degradations": degradations,
        "page_info": info,
        "documents": [
            {
                "doc_type": doc.doc_type,
                "variant": doc.variant,
                "pages": list(range(1, len(pages) + 1)),
                "text": "\n".join(doc.page_texts),
                "page_texts": doc.page_texts,
                "fields": doc.fields,
                "handwritten": doc.handwritten,
            }
        ],
    }
    return OutFile(stem=stem, fmt=fmt, pages=pages, truth=truth, quality=rng.randint(80, 92))


def generate_set(out: Path, count: int, seed: str) -> list[Path]:
    """``count`` files cycling through the kinds (CT01 and "ĐƠN XIN" count as application forms)."""
    paths = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        rng = random.Random(f"{seed}:{i}")
        paths.append(write_scan(build(kind, rng, f"f2_{i + 1:04d}", split_of(seed, i)), out))
    return paths
