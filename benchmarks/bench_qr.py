"""QR decode rate on generated chip-card fronts and 2024 land certificates, per degradation profile.

CCCD files go through the whole generator (formats, 200/300 dpi, card on the scanner bed,
photocopies, the profile's degradations) and are read back as intake reads them
(``ocr.source``); every page is decoded and the code's parsed fields are compared with the
file's truth. Land certificates: pages of the 2024 layout are rendered and degraded with the
same profile steps, then resampled to the file's dpi and JPEG-encoded. Prints, per profile, the
share of codes decoded AND parsed to fields equal to the truth, wrong reads (must be 0) and the
decoder's time per page against a plain zxing pass on the same pages (the baseline).

    .venv/bin/python benchmarks/bench_qr.py --per-profile 12
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import load_settings
from ocr.qr import decode_qr
from ocr.source import open_scan
from pipeline.documents.qr import parse_cccd_qr, parse_land_qr
from tests.datagen import degrade, layouts
from tests.datagen.generate import PROFILES, generate_set, profile_steps
from tests.datagen.qr import land_payload

CCCD_KEYS = ("id_number", "full_name", "date_of_birth", "sex", "issue_date", "place_of_residence")


def _plain(pixels: np.ndarray) -> list[str]:
    found = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return [b.text for b in found if b.valid]


def cccd_profile(
    profile: str, count: int, out: Path, timing: list[tuple[float, float]]
) -> tuple[int, int, int]:
    """(codes expected, decoded right, decoded wrong) over ``count`` CCCD files."""
    settings = load_settings(data_dir=out / "data").ocr
    expected = right = wrong = 0
    for path in generate_set(out / profile, count, f"bench-qr-{profile}", profile, ["cccd"]):
        truth = json.loads(path.with_name(path.name + ".truth.json").read_text(encoding="utf-8"))
        cards = [d for d in truth["documents"] if d["doc_type"] == "cccd" and d.get("variant") != "cccd_2016"]
        if not cards:
            continue
        source = open_scan(path, settings)
        texts: list[str] = []
        try:
            for index in range(source.page_count):
                pixels = source.load_page(index).pixels
                started = time.perf_counter()
                texts += decode_qr(pixels)
                mid = time.perf_counter()
                _plain(np.ascontiguousarray(pixels))
                timing.append((mid - started, time.perf_counter() - mid))
        finally:
            source.close()
        decoded = [d for t in texts if (d := parse_cccd_qr(t)) is not None]
        for card in cards:
            expected += 1
            want = {k: card["fields"][k] for k in CCCD_KEYS if k in card["fields"]}
            match = [d for d in decoded if d["id_number"] == want["id_number"]]
            if match and all(match[0].get(k) == v for k, v in want.items()):
                right += 1
            elif match:
                wrong += 1
                print(f"  WRONG {path.name}: {match[0]} vs {want}")
    return expected, right, wrong


def land_profile(profile: str, count: int) -> tuple[int, int, int]:
    expected = right = wrong = 0
    rng = random.Random(f"bench-qr-land-{profile}")
    while expected < count:
        doc = layouts.land_use_certificate(rng)
        page = doc.pages[0]
        if not _plain(np.asarray(page.convert("L"))):  # not of the 2024 layout: no code
            continue
        expected += 1
        img = degrade.apply(page.convert("L"), profile_steps(rng, profile), seed=rng.randint(0, 2**31))
        dpi = rng.choice([200, 300])
        if dpi != 300:
            img = img.resize(
                (round(img.width * dpi / 300), round(img.height * dpi / 300)), Image.Resampling.LANCZOS
            )
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(60, 90))
        pixels = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
        decoded = [d for t in decode_qr(pixels) if (d := parse_land_qr(t)) is not None]
        want = parse_land_qr(land_payload(doc.fields))
        if decoded and decoded[0] == want:
            right += 1
        elif decoded:
            wrong += 1
    return expected, right, wrong


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--per-profile", type=int, default=12, help="CCCD files and land certificates per profile"
    )
    ap.add_argument("--profiles", nargs="*", default=list(PROFILES))
    args = ap.parse_args()
    timing: list[tuple[float, float]] = []
    cols = f"{'codes':>6} {'read':>7} {'wrong':>6}"
    print(f"{'':10} {'CCCD fronts':^21}   {'land 2024':^21}\n{'profile':10} {cols}   {cols}")
    with tempfile.TemporaryDirectory(prefix="bench-qr-") as tmp:
        for profile in args.profiles:
            ce, cr, cw = cccd_profile(profile, args.per_profile, Path(tmp), timing)
            le, lr, lw = land_profile(profile, args.per_profile)
            cccd_cols = f"{ce:>6} {cr / max(ce, 1):>7.1%} {cw:>6}"
            print(f"{profile:10} {cccd_cols}   {le:>6} {lr / max(le, 1):>7.1%} {lw:>6}")
    if timing:
        ours = sum(t[0] for t in timing) / len(timing)
        base = sum(t[1] for t in timing) / len(timing)
        print(f"decode time per page: {ours * 1000:.1f} ms; one plain zxing pass {base * 1000:.1f} ms "
              f"(ratio {ours / base:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
