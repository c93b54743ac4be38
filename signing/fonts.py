"""The TrueType font embedded in stamps: pyHanko's built-in font has no Vietnamese glyphs.

pyHanko 0.38 writes a font's glyph widths into the PDF in the font's own units, while PDF
expects thousandths of an em; for the common 2048-unit TrueType fonts (DejaVu, Liberation) the
letters come out twice as far apart. So a font whose unitsPerEm is not 1000 is rescaled once
with fontTools and the copy is cached.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from fontTools.ttLib.scaleUpem import scale_upem

from signing.errors import SigningError

# Debian paths (fonts-dejavu-core, fonts-liberation2), in order of preference.
DEFAULT_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
)
PDF_UNITS_PER_EM = 1000
VIETNAMESE_SAMPLE = (
    "ĂÂĐÊÔƠƯăâđêôơưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
)


def find_font(configured: Path | None) -> Path:
    """The configured font, else the first Debian font with Vietnamese glyphs that exists."""
    if configured is not None:
        if not configured.is_file():
            raise SigningError(f"Không thấy phông chữ {configured} (font file not found)")
        return configured
    for path in DEFAULT_FONTS:
        if path.is_file():
            return path
    raise SigningError(
        "Không có phông chữ tiếng Việt (no Vietnamese TrueType font): cài fonts-dejavu-core "
        "hoặc đặt SOHOA_SIGNING__FONT"
    )


def _open(path: Path) -> TTFont:
    try:
        return TTFont(str(path), lazy=True)
    except (TTLibError, OSError) as exc:
        raise SigningError(f"Không mở được phông chữ {path} (cannot read font): {exc}") from None


def missing_vietnamese_glyphs(path: Path) -> str:
    """Characters of the Vietnamese alphabet the font has no glyph for."""
    cmap = _open(path).getBestCmap() or {}
    return "".join(ch for ch in VIETNAMESE_SAMPLE if ord(ch) not in cmap)


def pdf_ready_font(path: Path, cache_dir: Path) -> Path:
    """``path`` itself if it has 1000 units per em, else a rescaled copy cached in ``cache_dir``."""
    font = _open(path)
    if font["head"].unitsPerEm == PDF_UNITS_PER_EM:
        return path
    missing = missing_vietnamese_glyphs(path)
    if missing:
        raise SigningError(f"Phông chữ {path.name} thiếu chữ tiếng Việt: {missing[:10]} (font lacks glyphs)")
    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    target = cache_dir / f"{path.stem}-{key}-upm1000.ttf"
    if target.is_file():
        return target
    full = TTFont(str(path))
    scale_upem(full, PDF_UNITS_PER_EM)
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".font-", suffix=".ttf", dir=cache_dir)
    os.close(fd)
    try:
        full.save(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target
