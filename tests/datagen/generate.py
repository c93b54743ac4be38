"""From a plan (documents, profile, format, degradations) to a scan file with its ground truth.

All random choices are made from one ``random.Random`` per file, seeded with ``"{seed}:{index}"``, so
a data set is reproduced exactly by its seed, and the fixed set can pin any choice in a ``Plan``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from tests.datagen import cards, layouts
from tests.datagen import values as v
from tests.datagen.canvas import RENDER_DPI, nfc
from tests.datagen.degrade import apply, card_on_bed
from tests.datagen.layouts import RenderedDocument
from tests.datagen.seal import seal_mask, stamp
from tests.datagen.writer import OutFile, OutPage, write_scan

RENDERERS: dict[str, Callable[[random.Random], RenderedDocument]] = {
    "cccd": cards.cccd,
    "birth_certificate": layouts.birth_certificate,
    "marriage_certificate": layouts.marriage_certificate,
    "land_use_certificate": layouts.land_use_certificate,
    "application_form": layouts.application_form,
    "business_registration": layouts.business_registration,
    "other": layouts.other,
}
DOC_TYPES = tuple(RENDERERS)
PROFILES = ("clean", "degraded", "hard", "mixed")
CARD_MARGIN = 60  # px at 300 dpi (5 mm): a 5° skew must not push the card's text out of the image


@dataclass
class Plan:
    """Every choice that shapes one file. ``steps=None`` draws page degradations from the profile."""

    profile: str
    doc_types: list[str]
    fmt: str = "pdf"
    dpi: int = 300
    colour: bool = False
    embed_dpi: bool = True
    quality: int = 88
    pdf_lossless: bool = False
    card_layout: str = "card"  # "card": each side a card-size page; "bed": both sides on one A4 page
    photocopy: bool = False
    seal: bool = False
    steps: list[dict[str, Any]] | None = None
    rotations: dict[int, int] = field(default_factory=dict)  # 1-based page -> 90/180/270 (ccw)
    card_variant: str | None = None


def _pick_format(rng: random.Random, single_page: bool) -> str:
    if single_page:
        return rng.choices(["pdf", "tiff", "jpeg", "png"], weights=[50, 15, 20, 15])[0]
    return rng.choices(["pdf", "tiff"], weights=[75, 25])[0]


def profile_steps(rng: random.Random, profile: str) -> list[dict[str, Any]]:
    """Page degradations for one page of a ``degraded`` or ``hard`` file (``clean`` has none).

    ``degraded`` is what a working commune scanner produces on a bad day: two or three defects of
    moderate strength, at most one that thins the ink (faint toner or squeezed contrast), since the
    target there is a CER of 3%. ``hard`` is the stress case: 5° skew, a lifted lid, faint toner.
    """
    if profile == "clean":
        return []
    edge = rng.choice(["left", "right", "top", "bottom"])
    if profile == "hard":
        return [
            {"step": "skew", "angle": round(rng.choice([-1, 1]) * rng.uniform(4.5, 5.0), 2)},
            {"step": "uneven_light", "edge": edge, "depth": round(rng.uniform(0.35, 0.5), 3)},
            {"step": "faint_toner", "strength": round(rng.uniform(0.4, 0.55), 3)},
            {"step": "noise", "sigma": round(rng.uniform(2.0, 4.0), 2), "specks": 0.0002},
        ]
    ink = rng.choice([
        {"step": "low_contrast", "black": rng.randint(40, 80), "white": rng.randint(205, 235)},
        {"step": "faint_toner", "strength": round(rng.uniform(0.2, 0.4), 3)},
    ])  # fmt: skip
    options: list[dict[str, Any]] = [
        {
            "step": "noise",
            "sigma": round(rng.uniform(3.0, 7.0), 2),
            "specks": round(rng.uniform(0, 0.0004), 5),
        },
        {"step": "blur", "radius": round(rng.uniform(0.4, 0.8), 2)},
        {"step": "skew", "angle": round(rng.uniform(-3.0, 3.0), 2)},
        {"step": "uneven_light", "edge": edge, "depth": round(rng.uniform(0.15, 0.3), 3)},
        ink,
        {"step": "jpeg", "quality": rng.randint(40, 65)},
    ]
    return rng.sample(options, k=rng.choice([2, 2, 3]))


def random_plan(rng: random.Random, profile: str, types: list[str], primary: str | None = None,
                allow_multi: bool = True) -> Plan:  # fmt: skip
    if profile == "mixed":
        profile = rng.choices(["clean", "degraded", "hard"], weights=[40, 45, 15])[0]
        multi = allow_multi and rng.random() < 0.3
    else:
        multi = allow_multi and profile != "clean" and rng.random() < 0.15
    doc_types = [primary or rng.choice(types)]
    if multi:
        doc_types += [rng.choice(types) for _ in range(rng.randint(1, 2))]
    card_layout = "bed" if rng.random() < 0.5 else "card"
    single = len(doc_types) == 1 and (
        doc_types[0] not in ("cccd", "land_use_certificate")
        or (doc_types[0] == "cccd" and card_layout == "bed")
    )
    fmt = "pdf" if multi else _pick_format(rng, single)
    plan = Plan(
        profile=profile,
        doc_types=doc_types,
        fmt=fmt,
        dpi=300 if profile == "clean" else rng.choice([200, 300]),
        colour=rng.random() < (0.4 if profile != "hard" else 0.3),
        embed_dpi=fmt == "pdf" or rng.random() < 0.75,
        quality=rng.randint(85, 92),
        pdf_lossless=profile == "clean" and rng.random() < 0.3,
        card_layout=card_layout,
        photocopy=card_layout == "bed" and rng.random() < 0.5,
        seal=profile != "clean" and rng.random() < 0.5,
    )
    if profile == "degraded" and rng.random() < 0.15:
        plan.rotations = {1: rng.choice([90, 180, 270])}
    return plan


@dataclass
class _Page:
    image: Image.Image
    events: list[dict[str, Any]]


def _seal_texts(rng: random.Random) -> tuple[str, str]:
    place = v.random_place(rng)
    return f"ỦY BAN NHÂN DÂN {v.upper(place.commune)}", v.upper(place.district)


def build(plan: Plan, rng: random.Random, stem: str) -> OutFile:
    """Render, stamp, compose, degrade; return the file to write with its truth."""
    pages: list[_Page] = []
    documents: list[dict[str, Any]] = []
    file_events: list[dict[str, Any]] = []
    for doc_type in plan.doc_types:
        doc = cards.cccd(rng, plan.card_variant) if doc_type == "cccd" else RENDERERS[doc_type](rng)
        images = list(doc.pages)
        events: list[list[dict[str, Any]]] = [[] for _ in images]
        if plan.seal:
            for i, anchor in enumerate(doc.seal_anchors):
                if anchor is None:
                    continue
                centre = (anchor[0] + rng.randint(-40, 40), anchor[1] + rng.randint(-30, 30))
                images[i] = stamp(images[i], seal_mask(rng, *_seal_texts(rng)), centre)
                events[i].append({"step": "seal", "centre": list(centre)})
        page_lines = doc.page_lines
        if doc_type == "cccd" and plan.card_layout == "bed":
            gen = np.random.default_rng(rng.getrandbits(32))
            bed = rng.choice([255, 245, 230, 215]) if plan.photocopy else rng.choice([255, 250])
            images = [card_on_bed(images[0], images[1], gen, photocopy=plan.photocopy, bed=bed)]
            events = [[{"step": "card_on_bed", "photocopy": plan.photocopy, "bed": bed}]]
            page_lines = [page_lines[0] + page_lines[1]]
        elif doc_type == "cccd":  # a card-size scan area is a little larger than the card
            images = [ImageOps.expand(img, border=CARD_MARGIN, fill=(255, 255, 255)) for img in images]
        first = len(pages) + 1
        for img, ev in zip(images, events, strict=True):
            pages.append(_Page(img, ev))
        texts = ["\n".join(nfc(line) for line in lines) for lines in page_lines]
        documents.append({
            "doc_type": doc.doc_type,
            "variant": doc.variant,
            "pages": list(range(first, len(pages) + 1)),
            "text": "\n".join(texts),
            "page_texts": texts,
            "fields": {k: nfc(val) for k, val in doc.fields.items()},
        })  # fmt: skip
    if len(documents) > 1:
        file_events.append({"step": "multi_document", "documents": len(documents)})

    in_file_jpeg = plan.fmt == "jpeg" or (plan.fmt == "pdf" and not plan.pdf_lossless)
    out_pages: list[OutPage] = []
    page_info: list[dict[str, Any]] = []
    degradations: list[dict[str, Any]] = list(file_events)
    quality = plan.quality
    for n, page in enumerate(pages, start=1):
        steps = [
            dict(s) for s in (plan.steps if plan.steps is not None else profile_steps(rng, plan.profile))
        ]
        if n in plan.rotations:
            steps.append({"step": "rotate", "angle": plan.rotations[n]})
        steps.append({"step": "resample", "dpi": plan.dpi})
        steps.append({"step": "mode", "colour": plan.colour})
        applied = steps
        jpeg_steps = [s for s in steps if s["step"] == "jpeg"]
        if jpeg_steps and in_file_jpeg:  # the artefacts come from the file's own compression
            quality = min(quality, int(jpeg_steps[0]["quality"]))
            applied = [s for s in steps if s["step"] != "jpeg"]
        img = apply(page.image, applied, rng.getrandbits(32))
        out_pages.append(OutPage(img, plan.dpi))
        for rec in page.events + steps:
            if rec["step"] in ("resample", "mode"):
                continue
            degradations.append(
                {"step": rec["step"], "page": n, **{k: x for k, x in rec.items() if k != "step"}}
            )
        skew = sum(float(s["angle"]) for s in steps if s["step"] == "skew")
        rot = sum(int(s["angle"]) for s in steps if s["step"] == "rotate") % 360
        page_info.append({
            "page": n, "width": img.width, "height": img.height, "dpi": plan.dpi,
            "dpi_in_file": plan.embed_dpi or plan.fmt == "pdf", "mode": img.mode,
            "rotated_ccw": rot, "upright_rotation": rot, "skew_ccw": skew,
        })  # fmt: skip
    if plan.dpi != RENDER_DPI:
        degradations.append({"step": "dpi", "dpi": plan.dpi})
    if not plan.colour:
        degradations.append({"step": "grey"})
    if not (plan.embed_dpi or plan.fmt == "pdf"):
        degradations.append({"step": "no_dpi_metadata"})
    truth = {
        "format": plan.fmt,
        "pages": len(out_pages),
        "profile": plan.profile,
        "degradations": degradations,
        "page_info": page_info,
        "documents": documents,
    }
    return OutFile(stem=stem, fmt=plan.fmt, pages=out_pages, truth=truth, embed_dpi=plan.embed_dpi,
                   quality=quality, pdf_lossless=plan.pdf_lossless)  # fmt: skip


def file_rng(seed: str | int, index: int) -> random.Random:
    return random.Random(f"{seed}:{index}")


def generate_set(
    out: Path, count: int, seed: str | int, profile: str, types: list[str] | None = None
) -> list[Path]:
    """``count`` files; the primary document types cycle through ``types`` so each one is represented."""
    types = list(types or DOC_TYPES)
    order = list(types)
    random.Random(f"{seed}:order").shuffle(order)
    paths = []
    for i in range(count):
        rng = file_rng(seed, i)
        plan = random_plan(rng, profile, types, primary=order[i % len(order)])
        paths.append(write_scan(build(plan, rng, f"scan_{i + 1:04d}"), out))
    return paths
