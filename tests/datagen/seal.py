"""The red round seal (con dấu) a commune stamps over the signature and part of the printed name.

Ink is applied multiplicatively, like real stamp ink over toner: black text under it stays black,
white paper turns red. The seal's own text is not part of the ground truth (it is noise to OCR).
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.datagen.canvas import font, nfc, star_points

SEAL_DIAMETER = 420  # ≈ 36 mm at 300 dpi, the size of a commune People's Committee seal


def _ring_text(draw: ImageDraw.ImageDraw, layer: Image.Image, text: str, cx: float, cy: float, radius: float,
               size_pt: float, colour: int) -> None:  # fmt: skip
    """Characters around the upper part of a circle, each rotated to follow it."""
    fnt = font("sans-bold", size_pt)
    text = nfc(text)
    widths = [fnt.getlength(c) for c in text]
    total_angle = sum(widths) / radius
    angle = -math.pi / 2 - total_angle / 2
    for ch, w in zip(text, widths, strict=True):
        mid = angle + (w / 2) / radius
        box = int(size_pt * 8)
        glyph = Image.new("L", (box, box), 0)
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=fnt, fill=colour, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid + math.pi / 2), resample=Image.Resampling.BICUBIC)
        gx = cx + radius * math.cos(mid) - box / 2
        gy = cy + radius * math.sin(mid) - box / 2
        layer.paste(255, (int(gx), int(gy)), glyph)
        angle += w / radius


def seal_mask(rng: random.Random, top_text: str, bottom_text: str) -> Image.Image:
    """An 'L' mask (255 = ink) of a round seal: two rings, text around, a star in the centre."""
    d = SEAL_DIAMETER
    layer = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(layer)
    c = d / 2
    draw.ellipse((4, 4, d - 4, d - 4), outline=255, width=10)
    draw.ellipse((52, 52, d - 52, d - 52), outline=255, width=4)
    draw.polygon(star_points(c, c, 70), fill=255)
    _ring_text(draw, layer, top_text, c, c, c - 32, 6.0, 255)
    # the lower text reads left to right along the bottom: draw it on the top of a flipped layer
    lower = Image.new("L", (d, d), 0)
    _ring_text(ImageDraw.Draw(lower), lower, bottom_text, c, c, c - 32, 6.0, 255)
    layer = Image.fromarray(np.maximum(np.asarray(layer), np.asarray(lower.rotate(180))))
    # uneven inking: random holes and soft edges
    arr = np.asarray(layer).astype(np.float32)
    holes = np.random.default_rng(rng.getrandbits(32)).random(arr.shape) < 0.12
    arr[holes] *= 0.4
    return (
        Image.fromarray(arr.astype(np.uint8))
        .filter(ImageFilter.GaussianBlur(1.0))
        .rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    )


def stamp(
    page: Image.Image, mask: Image.Image, centre: tuple[int, int], strength: float = 0.85
) -> Image.Image:
    """Multiply red ink onto an RGB page at ``centre``."""
    ink = np.array([200, 25, 40], dtype=np.float32) / 255.0
    out = np.asarray(page.convert("RGB")).astype(np.float32)
    m = np.asarray(mask).astype(np.float32) / 255.0 * strength
    x0 = centre[0] - mask.width // 2
    y0 = centre[1] - mask.height // 2
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(out.shape[1], x0 + mask.width), min(out.shape[0], y0 + mask.height)
    if xe <= xs or ye <= ys:
        return page
    mm = m[ys - y0 : ye - y0, xs - x0 : xe - x0, None]
    region = out[ys:ye, xs:xe]
    out[ys:ye, xs:xe] = region * (1 - mm + mm * ink)
    return Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")
