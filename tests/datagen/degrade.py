"""What commune scanners and photocopiers do to a page, as named, composable steps.

Every step is a pure function of (image, numpy generator, parameters) so that a recorded list of
``{"step": name, **params}`` replays exactly. Pages come in as 300 dpi RGB renders; ``resample`` and
``mode`` set resolution and colour, ``jpeg`` adds compression artefacts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from tests.datagen.canvas import A4_PX, RENDER_DPI

Step = Callable[..., Image.Image]


def _arr(img: Image.Image) -> np.ndarray:
    return np.asarray(img).astype(np.float32)


def _img(arr: np.ndarray, mode: str) -> Image.Image:
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8), mode)


def faint_toner(img: Image.Image, gen: np.random.Generator, *, strength: float) -> Image.Image:
    """Worn-out toner: ink is lighter (``strength`` 0..1 of the way to white), unevenly."""
    a = _arr(img)
    h, w = a.shape[:2]
    patchy = 1.0 + 0.15 * (gen.random((h // 64 + 1, w // 64 + 1)) - 0.5)
    patchy = np.asarray(Image.fromarray(patchy.astype(np.float32)).resize((w, h), Image.Resampling.BILINEAR))
    k = np.clip(strength * patchy, 0, 0.9)
    if a.ndim == 3:
        k = k[..., None]
    return _img(255 - (255 - a) * (1 - k), img.mode)


def low_contrast(img: Image.Image, gen: np.random.Generator, *, black: int, white: int) -> Image.Image:
    """The scanner's range squeezed: ink prints at ``black``, paper at ``white``."""
    a = _arr(img)
    return _img(black + a * (white - black) / 255.0, img.mode)


def uneven_light(img: Image.Image, gen: np.random.Generator, *, edge: str, depth: float) -> Image.Image:
    """A lifted lid: light falls off towards one edge (``depth`` = darkening at that edge)."""
    a = _arr(img)
    h, w = a.shape[:2]
    n = w if edge in ("left", "right") else h
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    if edge in ("right", "bottom"):
        t = t[::-1]
    factor = 1.0 - depth * (1.0 - t) ** 2
    factor = factor[None, :] if edge in ("left", "right") else factor[:, None]
    if a.ndim == 3:
        factor = factor[..., None]
    return _img(a * factor, img.mode)


def skew(img: Image.Image, gen: np.random.Generator, *, angle: float) -> Image.Image:
    """The sheet put crooked on the glass: content turned ``angle`` degrees counter-clockwise."""
    fill: Any = 255 if img.mode == "L" else (255, 255, 255)
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)


def rotate(img: Image.Image, gen: np.random.Generator, *, angle: int) -> Image.Image:
    """The sheet fed sideways or upside down: ``angle`` in 90/180/270, counter-clockwise."""
    op = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}[
        angle
    ]
    return img.transpose(op)


def resample(img: Image.Image, gen: np.random.Generator, *, dpi: int) -> Image.Image:
    if dpi == RENDER_DPI:
        return img
    size = (round(img.width * dpi / RENDER_DPI), round(img.height * dpi / RENDER_DPI))
    return img.resize(size, Image.Resampling.LANCZOS)


def blur(img: Image.Image, gen: np.random.Generator, *, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def noise(img: Image.Image, gen: np.random.Generator, *, sigma: float, specks: float = 0.0) -> Image.Image:
    """Sensor noise plus dust specks (``specks`` = fraction of pixels)."""
    a = _arr(img)
    n = gen.normal(0.0, sigma, a.shape[:2]).astype(np.float32)
    a = a + (n[..., None] if a.ndim == 3 else n)
    if specks:
        mask = gen.random(a.shape[:2]) < specks
        a[mask] = 30.0
    return _img(a, img.mode)


def mode(img: Image.Image, gen: np.random.Generator, *, colour: bool) -> Image.Image:
    return img.convert("RGB" if colour else "L")


def jpeg(img: Image.Image, gen: np.random.Generator, *, quality: int) -> Image.Image:
    """Compression artefacts of a low-quality JPEG (the file itself may be JPEG too)."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out


STEPS: dict[str, Step] = {
    "faint_toner": faint_toner,
    "low_contrast": low_contrast,
    "uneven_light": uneven_light,
    "skew": skew,
    "rotate": rotate,
    "resample": resample,
    "blur": blur,
    "noise": noise,
    "mode": mode,
    "jpeg": jpeg,
}
# Resolution and colour first (3-7x fewer values to push through the rest, and the same look), then
# paper and toner, glass and lid, and the sensor last.
ORDER = [
    "resample",
    "mode",
    "faint_toner",
    "low_contrast",
    "uneven_light",
    "skew",
    "rotate",
    "blur",
    "noise",
    "jpeg",
]


def apply(img: Image.Image, steps: list[dict[str, Any]], seed: int) -> Image.Image:
    """Apply recorded steps in the physical order; ``seed`` drives their random parts."""
    gen = np.random.default_rng(seed)
    for rec in sorted(steps, key=lambda s: ORDER.index(s["step"])):
        params = {k: val for k, val in rec.items() if k not in ("step", "page")}
        img = STEPS[rec["step"]](img, gen, **params)
    return img


def card_on_bed(front: Image.Image, back: Image.Image, gen: np.random.Generator, *, photocopy: bool,
                bed: int) -> Image.Image:  # fmt: skip
    """Both sides of a card laid on an A4 scanner bed (or photocopied), as clerks copy ID cards."""
    page = Image.new("RGB", A4_PX, (bed, bed, bed))
    x = int(260 + gen.integers(-60, 120))
    y = int(280 + gen.integers(-60, 120))
    for side in (front, back):
        card = side
        if photocopy:
            card = ImageOps.autocontrast(side.convert("L"), cutoff=2).convert("RGB")
        mask = Image.new("L", card.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius=38, fill=255)
        shadow = Image.new("RGB", card.size, (90, 90, 90))
        page.paste(shadow, (x + 6, y + 8), mask.filter(ImageFilter.GaussianBlur(4)))
        page.paste(card, (x, y), mask)
        y += card.height + int(140 + gen.integers(0, 120))
    return page
