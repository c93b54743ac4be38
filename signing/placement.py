"""Where a visible stamp may go: empty space found on the rendered page.

A stamp drawn over the text hides what was signed. Each page is rendered once at low resolution
(poppler's ``pdftoppm``, as a viewer would show it: CropBox, /Rotate applied), its ink is
dilated by a small margin, and a summed-area table (numpy) finds every position where a box
of the stamp's displayed size covers no ink. Corners are tried in the order the stamp kind
prefers (the official's bottom right, then bottom left, ...); on small pages (ID cards) the
stamp is first scaled to the page and then shrunk step by step. Boxes are returned in the
page's default user space, so the stamp never lands outside the visible area whatever the
rotation or crop.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np

from signing.errors import SigningError

Box = tuple[float, float, float, float]


class Corner(StrEnum):
    BOTTOM_RIGHT = "bottom-right"
    BOTTOM_LEFT = "bottom-left"
    TOP_RIGHT = "top-right"
    TOP_LEFT = "top-left"


BOTTOM_FIRST = (Corner.BOTTOM_RIGHT, Corner.BOTTOM_LEFT, Corner.TOP_RIGHT, Corner.TOP_LEFT)
TOP_FIRST = (Corner.TOP_RIGHT, Corner.TOP_LEFT, Corner.BOTTOM_RIGHT, Corner.BOTTOM_LEFT)

INK_MARGIN_PT = 3.0
"""white space kept between the stamp and the nearest ink"""
SHRINK_STEPS = (1.0, 0.8, 0.65)
MIN_SCALE = 0.3
"""below this the stamp's 8 pt text would be under 2.5 pt: a signature page is better"""


@dataclass(frozen=True)
class PageGeometry:
    """The visible area (CropBox) of a page in user space and its /Rotate (0, 90, 180, 270)."""

    crop: Box
    rotate: int = 0

    @property
    def display_size(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.crop
        w, h = x1 - x0, y1 - y0
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def to_user(self, u0: float, v0: float, u1: float, v1: float) -> Box:
        """A box in display points (origin top left, v down) to user space (origin bottom left)."""
        cx0, cy0, cx1, cy1 = self.crop
        corners = [self._point(cx0, cy0, cx1, cy1, u, v) for u in (u0, u1) for v in (v0, v1)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        return (min(xs), min(ys), max(xs), max(ys))

    def to_display(self, box: Box) -> Box:
        """The inverse of :meth:`to_user` (display points, origin top left)."""
        cx0, cy0, cx1, cy1 = self.crop
        pts = [self._inverse(cx0, cy0, cx1, cy1, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
        us, vs = [p[0] for p in pts], [p[1] for p in pts]
        return (min(us), min(vs), max(us), max(vs))

    def _point(
        self, cx0: float, cy0: float, cx1: float, cy1: float, u: float, v: float
    ) -> tuple[float, float]:
        # /Rotate turns the page clockwise for display (ISO 32000-1 7.7.3.3)
        if self.rotate == 90:
            return cx0 + v, cy0 + u
        if self.rotate == 180:
            return cx1 - u, cy0 + v
        if self.rotate == 270:
            return cx1 - v, cy1 - u
        return cx0 + u, cy1 - v

    def _inverse(
        self, cx0: float, cy0: float, cx1: float, cy1: float, x: float, y: float
    ) -> tuple[float, float]:
        if self.rotate == 90:
            return y - cy0, x - cx0
        if self.rotate == 180:
            return cx1 - x, y - cy0
        if self.rotate == 270:
            return cy1 - y, cx1 - x
        return x - cx0, cy1 - y


def normalise_rotation(value: object) -> int:
    try:
        rot = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
    return rot % 360 if rot % 90 == 0 else 0


def render_dpi(geom: PageGeometry) -> float:
    """About 700 pixels on the long side: enough to see a line of 6 pt text, cheap to render."""
    return float(min(150.0, max(30.0, 72.0 * 700.0 / max(geom.display_size))))


def render_gray(data: bytes, page_index: int, dpi: float) -> np.ndarray:
    """Page ``page_index`` (0-based) as a grey image, as poppler displays it."""
    with tempfile.TemporaryDirectory(prefix="sohoa-place-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(data)
        try:
            proc = subprocess.run(
                ["pdftoppm", "-cropbox", "-gray", "-r", f"{dpi:.2f}", "-f", str(page_index + 1), "-l",
                 str(page_index + 1), str(src)],
                capture_output=True, check=True, timeout=120,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as exc:
            raise SigningError(
                f"Không dựng được trang để đặt dấu ký (cannot render the page): {exc}"
            ) from None
    img = cv2.imdecode(np.frombuffer(proc.stdout, np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise SigningError("Không dựng được trang để đặt dấu ký (pdftoppm gave no image)")
    return img


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """True where the page is not paper: darker than the paper's own tone by a clear step.

    The paper tone is the page's light end (a grey or tinted scan), never darker than 200: a
    page dark all over is ink all over, not dark paper.
    """
    paper = max(200, int(np.percentile(gray, 90)))
    threshold = max(0, min(235, paper - 25))
    return np.asarray(gray < threshold)


@dataclass
class _Page:
    geom: PageGeometry
    scale: float  # pixels per point
    blocked: np.ndarray  # True where a stamp may not go (ink plus margin, taken boxes)


@dataclass
class SpacePlanner:
    """Finds stamp boxes on the pages of one PDF; boxes it hands out are not handed out again."""

    data: bytes
    pages: list[PageGeometry]
    _cache: dict[int, _Page] = field(default_factory=dict)

    def _page(self, index: int) -> _Page:
        if index not in self._cache:
            geom = self.pages[index]
            dpi = render_dpi(geom)
            gray = render_gray(self.data, index, dpi)
            self._cache[index] = _blocked_page(geom, dpi, ink_mask(gray))
        return self._cache[index]

    def add_blank(self, geom: PageGeometry) -> int:
        """A page added to the document (the signature page): nothing on it yet."""
        self.pages.append(geom)
        index = len(self.pages) - 1
        dpi = render_dpi(geom)
        w, h = geom.display_size
        blank = np.zeros((max(1, round(h * dpi / 72)), max(1, round(w * dpi / 72))), bool)
        self._cache[index] = _blocked_page(geom, dpi, blank)
        return index

    def take(self, index: int, box: Box) -> None:
        """Mark a user-space box (an existing field, a fixed placement) as occupied."""
        page = self._page(index)
        _block(page, page.geom.to_display(box), margin=INK_MARGIN_PT)

    def find(self, index: int, size: tuple[float, float], corners: tuple[Corner, ...]) -> Box | None:
        """A user-space box of ``size`` (display points, scaled down if it must be) covering no ink."""
        page = self._page(index)
        pw, ph = page.geom.display_size
        margin = min(36.0, 0.06 * pw, 0.06 * ph)
        w, h = size
        fit = min(1.0, 0.45 * pw / w, 0.35 * ph / h)
        for step in SHRINK_STEPS:
            s = fit * step
            if s < MIN_SCALE and step != SHRINK_STEPS[0]:
                break
            found = _search(page, (w * s, h * s), margin, corners)
            if found is not None:
                _block(page, found, margin=INK_MARGIN_PT)
                return page.geom.to_user(*found)
        return None


def _blocked_page(geom: PageGeometry, dpi: float, ink: np.ndarray) -> _Page:
    scale = dpi / 72.0
    k = max(1, round(INK_MARGIN_PT * scale))
    kernel = np.ones((2 * k + 1, 2 * k + 1), np.uint8)
    blocked = cv2.dilate(ink.astype(np.uint8), kernel).astype(bool)
    return _Page(geom, scale, blocked)


def _block(page: _Page, display_box: Box, margin: float) -> None:
    u0, v0, u1, v1 = display_box
    s = page.scale
    rows, cols = page.blocked.shape
    r0, r1 = max(0, int((v0 - margin) * s)), min(rows, int(np.ceil((v1 + margin) * s)))
    c0, c1 = max(0, int((u0 - margin) * s)), min(cols, int(np.ceil((u1 + margin) * s)))
    page.blocked[r0:r1, c0:c1] = True


def _search(page: _Page, size: tuple[float, float], margin: float, corners: tuple[Corner, ...]) -> Box | None:
    """The free box nearest each preferred corner in turn, in display points."""
    s = page.scale
    rows, cols = page.blocked.shape
    bw, bh = int(np.ceil(size[0] * s)), int(np.ceil(size[1] * s))
    m = int(np.ceil(margin * s))
    if bw + 2 * m > cols or bh + 2 * m > rows:
        return None
    sat = np.zeros((rows + 1, cols + 1), np.int64)
    sat[1:, 1:] = page.blocked.cumsum(0).cumsum(1)
    # ink under the box whose top-left pixel is (r, c), for every r, c at once
    under = sat[bh:, bw:] - sat[:-bh, bw:] - sat[bh:, :-bw] + sat[:-bh, :-bw]
    free = under == 0
    valid = np.zeros_like(free)
    valid[m : rows - bh - m + 1, m : cols - bw - m + 1] = True
    rs, cs = np.nonzero(free & valid)
    if rs.size == 0:
        return None
    centre_r, centre_c = rs + bh / 2, cs + bw / 2
    for corner in corners:
        bottom = corner in (Corner.BOTTOM_RIGHT, Corner.BOTTOM_LEFT)
        right = corner in (Corner.BOTTOM_RIGHT, Corner.TOP_RIGHT)
        in_half = (centre_r >= rows / 2 if bottom else centre_r < rows / 2) & (
            centre_c >= cols / 2 if right else centre_c < cols / 2
        )
        if not in_half.any():
            continue
        target_r = rows - m - bh if bottom else m
        target_c = cols - m - bw if right else m
        dist = (rs - target_r) ** 2 + (cs - target_c) ** 2
        dist = np.where(in_half, dist, np.iinfo(np.int64).max)
        i = int(np.argmin(dist))
        r, c = int(rs[i]), int(cs[i])
        return (c / s, r / s, (c + bw) / s, (r + bh) / s)
    return None
