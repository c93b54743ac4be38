"""Small page renderer for OCR tests (independent of tests.datagen, so these tests stand alone)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"

LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY KHAI SINH",
    "Họ, chữ đệm, tên: Nguyễn Thị Thu Hương",
    "Ngày, tháng, năm sinh: 12/08/1995",
    "Giới tính: Nữ   Dân tộc: Kinh   Quốc tịch: Việt Nam",
    "Nơi sinh: Trạm y tế xã Đông Hưng, tỉnh Thái Bình",
    "Quê quán: xã Vũ Thư, tỉnh Thái Bình",
    "Họ, chữ đệm, tên người mẹ: Trần Thị Lụa",
    "Họ, chữ đệm, tên người cha: Nguyễn Văn Đức",
    "Nơi đăng ký khai sinh: Ủy ban nhân dân xã Đông Hưng",
    "Ngày đăng ký: ngày 20 tháng 8 năm 1995",
]


def render_page(
    lines: list[str] | None = None,
    dpi: int = 300,
    size_in: tuple[float, float] = (8.27, 11.69),
    font_pt: float = 13.0,
) -> tuple[np.ndarray, str]:
    """A white page with ``lines`` in a Times-like font; returns grey pixels and the truth text."""
    lines = LINES if lines is None else lines
    w, h = round(size_in[0] * dpi), round(size_in[1] * dpi)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(SERIF, round(font_pt * dpi / 72))
    x, y = round(0.9 * dpi), round(0.9 * dpi)
    pitch = round(font_pt * 1.7 * dpi / 72)
    for line in lines:
        draw.text((x, y), line, fill=0, font=font)
        y += pitch
    return np.asarray(img).copy(), "\n".join(lines)


def rotate_bound(pixels: np.ndarray, degrees: float, fill: int = 255) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees`` (Pillow's convention), expanding the canvas."""
    img = Image.fromarray(pixels)
    out = img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    return np.asarray(out).copy()


def save_png(pixels: np.ndarray, path: Path, dpi: int | None = 300) -> Path:
    img = Image.fromarray(pixels)
    if dpi:
        img.save(path, dpi=(dpi, dpi))
    else:
        img.save(path)
    return path


def add_noise(pixels: np.ndarray, sigma: float = 12.0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = pixels.astype(np.float32) + rng.normal(0, sigma, pixels.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def random_lines(n: int, seed: int = 0) -> list[str]:
    rnd = random.Random(seed)
    return [rnd.choice(LINES) for _ in range(n)]
