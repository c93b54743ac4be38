"""The TrueType font embedded in stamps: pyHanko's built-in font has no Vietnamese glyphs.

Two fixes are applied once with fontTools and the result is cached next to the data:

* pyHanko 0.38 writes a font's glyph widths into the PDF in the font's own units, while PDF
  expects thousandths of an em; for the common 2048-unit TrueType fonts (DejaVu, Liberation)
  the letters come out twice as far apart. The copy is rescaled to 1000 units per em.
* pyHanko parses the whole font file for every signature (DejaVu Sans: 700 KB, about half a
  second). The copy keeps only the Latin scripts Vietnamese (and foreign names) need.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from fontTools import subset
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


# fontTools warns on every subset about tables it drops (FFTM); that is noise for staff.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

# Basic Latin .. Latin Extended-B, combining marks, Latin Extended Additional (Vietnamese),
# general punctuation, currency (₫), letterlike symbols, the № sign.
KEPT_RANGES = (
    (0x0020, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
)
CACHE_VERSION = "v3"


def pdf_ready_font(path: Path, cache_dir: Path) -> Path:
    """A Latin-only, 1000-units-per-em copy of ``path``, made once and cached in ``cache_dir``."""
    missing = missing_vietnamese_glyphs(path)
    if missing:
        raise SigningError(f"Phông chữ {path.name} thiếu chữ tiếng Việt: {missing[:10]} (font lacks glyphs)")
    st = path.stat()
    key = hashlib.sha256(
        f"{CACHE_VERSION}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    target = cache_dir / f"{path.stem}-{key}.ttf"
    if target.is_file():
        return target
    full = TTFont(str(path))
    options = subset.Options()
    # mark positioning for stacked Vietnamese diacritics; kerning dropped (big, slow to parse)
    options.layout_features = ["ccmp", "locl", "mark", "mkmk"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[u for lo, hi in KEPT_RANGES for u in range(lo, hi + 1)])
    subsetter.subset(full)
    if full["head"].unitsPerEm != PDF_UNITS_PER_EM:
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
