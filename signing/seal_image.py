"""A default red round seal (con dấu) drawn with Pillow when no seal image is configured.

Real communes scan their seal; the default only has to look like one: a red double ring, the
organisation's name around it and a star in the middle.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

RED = (200, 16, 32, 255)


def _star(cx: float, cy: float, r_out: float, r_in: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def draw_seal(organisation: str, font_path: Path, size: int = 600) -> Image.Image:
    """A transparent RGBA image of the seal, ``size`` pixels square."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2
    outer = size * 0.48
    inner = size * 0.34
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=RED, width=max(4, size // 40))
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=RED, width=max(2, size // 120))
    draw.polygon(_star(c, c, size * 0.17, size * 0.07), fill=RED)

    text = organisation.upper()
    font = ImageFont.truetype(str(font_path), max(10, int(size * 0.075)))
    ring = (outer + inner) / 2
    # spread the letters over the upper ~300 degrees, reading clockwise from the lower left
    span = math.radians(300)
    step = span / max(len(text), 1)
    start = -math.pi / 2 - span / 2 + step / 2
    for i, ch in enumerate(text):
        a = start + i * step
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a + math.pi / 2), resample=Image.Resampling.BICUBIC)
        x = c + ring * math.cos(a) - glyph.width / 2
        y = c + ring * math.sin(a) - glyph.height / 2
        img.alpha_composite(glyph, (int(x), int(y)))
    return img


def ensure_seal_png(organisation: str, font_path: Path, cache_dir: Path) -> Path:
    """Draw the default seal once per organisation name and keep it in ``cache_dir``."""
    import hashlib

    digest = hashlib.sha256(f"{organisation}|{font_path}".encode()).hexdigest()[:16]
    path = cache_dir / f"seal-{digest}.png"
    if not path.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.png")
        draw_seal(organisation, font_path).save(tmp)
        tmp.replace(path)
    return path
