"""The organisation's seal over the certified signer's signature: drawn over, hiding nothing.

Decree 30/2020/NĐ-CP puts the seal on the signature: "Khi đóng dấu lên chữ ký, dấu đóng phải
trùm lên khoảng 1/3 chữ ký về phía bên trái" (Art. 33.1.b), and for electronic documents
(Phụ lục I) the organisation's digital signature image is the seal's image, red, actual size, PNG
with a transparent background, "trùm lên khoảng 1/3 hình ảnh chữ ký số của người có thẩm quyền
về bên trái". The VGCA service does exactly that after a P=2 certification (decree 50/2026/NĐ-CP:
the government's seal, signature 6, over "PHÓ THỦ TƯỚNG" and the minister's signature image), so
a later signed stamp that overlaps an earlier signature's widget may draw over ink there, when
- inside the signer's neighbourhood (the earlier widget grown by half its larger side) it hides
  nothing: every pixel that was ink is still ink-dark, and in every 12 pt tile holding ink the
  ink keeps at least ``_MIN_CONTRAST`` of its contrast with the paper beside it (a transparent
  overlay; an opaque box, a white-out or a seal with a filled background fail);
- what it draws is predominantly one colour that is not black or grey (a seal, not new text);
- outside the neighbourhood it keeps the blank-space rule (signing.verify_stamps).
Measured on decree 50's seal (144 dpi): no ink pixel turned light, the lowest tile kept 32 % of
its contrast, 71 % of the changed pixels are one red hue (saturation >= 25/255).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["SealVerdict", "seal_verdict"]

#: share of the certified ink's contrast with the paper a tile must keep under the stamp
_MIN_CONTRAST = 0.2
#: tile side (points) over which contrast is measured
_TILE_PT = 12.0
#: share of the stamp's changed pixels that must be of its one dominant, saturated hue
_MIN_ONE_COLOUR = 0.5
#: saturation (0-255) and value (0-255) from which a pixel counts as coloured
_MIN_SATURATION, _MIN_VALUE = 25, 80
#: hue tolerance around the dominant hue (OpenCV units, 2 degrees each)
_HUE_TOLERANCE = 10
#: grey levels a pixel must change by to count as drawn on
_CHANGED_LEVELS = 24


@dataclass(frozen=True)
class SealVerdict:
    """Why a stamp over a signer's block is refused; ``hidden`` and friends are all False if not."""

    hidden: bool  # certified ink turned light or lost its contrast
    not_one_colour: bool  # drawn in black/grey or in many colours: could be new text
    outside: bool  # marks on or next to certified ink outside the signer's neighbourhood

    @property
    def accepted(self) -> bool:
        return not (self.hidden or self.not_one_colour or self.outside)


def seal_verdict(
    before: np.ndarray,
    after: np.ndarray,
    stamp: np.ndarray,
    neighbourhood: np.ndarray,
    near_ink: np.ndarray,
    threshold: int,
    scale: float,
) -> SealVerdict:
    """Judge one stamp from BGR renders ``before``/``after`` of the same crop.

    ``stamp`` and ``neighbourhood`` are boolean masks (the stamp's rectangle, the signers' grown
    blocks), ``near_ink`` the certified ink plus clearance, ``threshold`` the grey level below
    which a pixel is ink, ``scale`` pixels per point.
    """
    gb = cv2.cvtColor(before, cv2.COLOR_BGR2GRAY).astype(np.int16)
    ga = cv2.cvtColor(after, cv2.COLOR_BGR2GRAY).astype(np.int16)
    changed = np.abs(before.astype(np.int16) - after.astype(np.int16)).max(axis=2) > _CHANGED_LEVELS
    outside = bool((changed & near_ink & stamp & ~neighbourhood).any())
    inside = stamp & neighbourhood
    ink = (gb < threshold) & inside
    hidden = bool((ink & (ga >= threshold)).any()) or _contrast_lost(gb, ga, ink, threshold, scale)
    drawn = changed & stamp
    return SealVerdict(hidden=hidden, not_one_colour=not _one_colour(after, drawn), outside=outside)


def _contrast_lost(gb: np.ndarray, ga: np.ndarray, ink: np.ndarray, threshold: int, scale: float) -> bool:
    """Does a tile's certified ink stop standing out from the paper beside it?"""
    core = ink & (gb < 128)
    paper = ~cv2.dilate((gb < threshold).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    t = max(4, round(_TILE_PT * scale))
    for y in range(0, gb.shape[0], t):
        for x in range(0, gb.shape[1], t):
            c, p = core[y : y + t, x : x + t], paper[y : y + t, x : x + t]
            if c.sum() < 4 or p.sum() < 8:
                continue
            b, a = gb[y : y + t, x : x + t], ga[y : y + t, x : x + t]
            was = float(np.median(b[p]) - np.median(b[c]))
            now = float(np.median(a[p]) - np.median(a[c]))
            if was > 0 and now < _MIN_CONTRAST * was:
                return True
    return False


def _one_colour(after: np.ndarray, drawn: np.ndarray) -> bool:
    """Are the stamp's marks mostly one saturated hue (a red seal), not black or grey text?"""
    if not drawn.any():
        return True
    hsv = cv2.cvtColor(after, cv2.COLOR_BGR2HSV)
    hue = hsv[..., 0][drawn].astype(np.int16)
    coloured = (hsv[..., 1][drawn] >= _MIN_SATURATION) & (hsv[..., 2][drawn] >= _MIN_VALUE)
    if not coloured.any():
        return False
    dominant = int(np.argmax(np.bincount(hue[coloured], minlength=180)))
    dist = np.abs(hue - dominant)
    dist = np.minimum(dist, 180 - dist)
    return float((coloured & (dist <= _HUE_TOLERANCE)).mean()) >= _MIN_ONE_COLOUR
