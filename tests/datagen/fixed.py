"""The small fixed set committed in ``tests/data/scans/`` (regenerate: ``python -m tests.datagen fixed``).

Every document type clean, every file format, every degradation at least once, all three card
generations, a rotated page, cards on an A4 bed, a multi-document PDF and images without DPI.
Mostly 200 dpi grey JPEG inside PDFs to stay small (the whole set is well under 6 MB).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.datagen.generate import Plan, build, file_rng
from tests.datagen.writer import EXTENSIONS, write_scan

FIXED_DIR = Path(__file__).resolve().parents[1] / "data" / "scans"
FIXED_SEED = "sohoa-fixed-2026"


def _s(name: str, **params: Any) -> dict[str, Any]:
    return {"step": name, **params}


def fixed_plans() -> list[tuple[str, Plan]]:
    g200: dict[str, Any] = {"dpi": 200, "colour": False, "quality": 80}
    return [
        # clean: one per document type, every format
        (
            "clean_cccd_2021_card",
            Plan("clean", ["cccd"], "pdf", dpi=300, colour=True, card_variant="cccd_2021", steps=[]),
        ),
        ("clean_birth_certificate", Plan("clean", ["birth_certificate"], "pdf", steps=[], **g200)),
        ("clean_marriage_certificate", Plan("clean", ["marriage_certificate"], "tiff", steps=[], **g200)),
        ("clean_land_use_certificate", Plan("clean", ["land_use_certificate"], "pdf", steps=[], **g200)),
        (
            "clean_application_form",
            Plan("clean", ["application_form"], "jpeg", steps=[], dpi=200, quality=85),
        ),
        ("clean_business_registration", Plan("clean", ["business_registration"], "png", steps=[], dpi=200)),
        ("clean_other_300dpi", Plan("clean", ["other"], "pdf", dpi=300, quality=80, steps=[])),
        # degraded
        (
            "degraded_cccd_2016_bed_photocopy",
            Plan(
                "degraded",
                ["cccd"],
                "pdf",
                card_layout="bed",
                photocopy=True,
                card_variant="cccd_2016",
                steps=[_s("noise", sigma=3.0, specks=0.0003), _s("low_contrast", black=50, white=225)],
                **g200,
            ),
        ),
        (
            "degraded_cancuoc_2024_bed_colour_nodpi",
            Plan(
                "degraded",
                ["cccd"],
                "jpeg",
                dpi=200,
                colour=True,
                card_layout="bed",
                card_variant="cancuoc_2024",
                embed_dpi=False,
                quality=80,
                steps=[_s("skew", angle=-1.5), _s("blur", radius=0.5)],
            ),
        ),
        (
            "degraded_birth_certificate_seal_colour",
            Plan(
                "degraded",
                ["birth_certificate"],
                "pdf",
                dpi=200,
                colour=True,
                quality=75,
                seal=True,
                steps=[_s("skew", angle=2.0), _s("uneven_light", edge="left", depth=0.3)],
            ),
        ),
        (
            "degraded_marriage_rotated90_nodpi",
            Plan(
                "degraded",
                ["marriage_certificate"],
                "jpeg",
                dpi=200,
                embed_dpi=False,
                seal=True,
                rotations={1: 90},
                steps=[_s("blur", radius=0.7), _s("jpeg", quality=45)],
            ),
        ),
        (
            "degraded_application_rotated180_nodpi",
            Plan(
                "degraded",
                ["application_form"],
                "png",
                dpi=200,
                embed_dpi=False,
                rotations={1: 180},
                steps=[_s("low_contrast", black=70, white=215), _s("blur", radius=0.6)],
            ),
        ),
        (
            "degraded_land_use_certificate_multipage",
            Plan(
                "degraded",
                ["land_use_certificate"],
                "tiff",
                dpi=200,
                seal=True,
                steps=[_s("faint_toner", strength=0.35), _s("jpeg", quality=55)],
            ),
        ),
        (
            "degraded_multi_document",
            Plan(
                "degraded",
                ["application_form", "cccd", "birth_certificate", "other"],
                "pdf",
                card_layout="bed",
                card_variant="cccd_2021",
                seal=True,
                rotations={3: 270},
                steps=[_s("noise", sigma=2.5), _s("skew", angle=-1.0)],
                dpi=200,
                quality=65,
            ),
        ),
        # hard = 5° skew + uneven light + faint toner
        (
            "hard_business_registration",
            Plan(
                "hard",
                ["business_registration"],
                "pdf",
                steps=[
                    _s("skew", angle=5.0),
                    _s("uneven_light", edge="right", depth=0.45),
                    _s("faint_toner", strength=0.5),
                ],
                **g200,
            ),
        ),
        (
            "hard_cccd_2021_card",
            Plan(
                "hard",
                ["cccd"],
                "tiff",
                dpi=300,
                card_variant="cccd_2021",
                steps=[
                    _s("skew", angle=-5.0),
                    _s("uneven_light", edge="top", depth=0.45),
                    _s("faint_toner", strength=0.5),
                ],
            ),
        ),
    ]


def generate_fixed(out: Path = FIXED_DIR) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    plans = fixed_plans()
    keep = {stem + EXTENSIONS[plan.fmt] for stem, plan in plans}
    keep |= {name + ".truth.json" for name in keep}
    for old in out.iterdir():  # this directory holds only the fixed set
        if old.is_file() and old.name not in keep:
            old.unlink()
    paths = []
    for index, (stem, plan) in enumerate(plans):
        rng = file_rng(FIXED_SEED, index)
        paths.append(write_scan(build(plan, rng, stem), out))
    return paths
