"""Stamps of later signatures on a certified document: allowed in blank space only.

DocMDP P=2 permits "filling in forms, instantiating page templates, and signing" (ISO 32000-1,
12.8.2.2), and signing includes adding a signature field with its visible appearance (Acrobat
accepts it; pyHanko's strict default does not). Vietnamese documents depend on it: under Decree
30/2020 the clerk numbers and dates a document after the leader has certified it, and the
VGCA sign service writes the number and the date as the visible stamps of later signatures
(decree 50/2026/NĐ-CP: "50", "31", "01", "2026" in the blanks of "Số: …" and the date line).

What a viewer shows still changed, so the rule is narrow. A stamp is accepted only when
- it is the widget of a signature field that carries a signature (each is verified on its own);
- what it draws (rendered with the final file, inside its rectangle: an appearance is clipped
  to it) changes no pixel on or within 1.5 pt of the ink the certified revision shows there
  (text, drawings, earlier stamps and annotations): it writes in blank space only, never over,
  under or against a character. A rectangle may overlap text it leaves untouched (VGCA's
  number box spans the "/" of "…/2026"); a filled box, a white-out or a seal over text do not;
- it overlaps no other stamp added after the certification.
One exception, the organisation's seal over the certified signer's signature (Decree 30/2020),
is judged by signing.verify_seal: a stamp overlapping the widget of a signature the certified
revision carries may draw over ink near it if it hides nothing and is one colour.
Anything else (a stamp over text, an unsigned visible field, an annotation, new page content)
stays a modification. The check renders only each stamp's neighbourhood, before and after, with poppler.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from signing.placement import PageGeometry, ink_mask
from signing.verify_content import Stamp
from signing.verify_seal import seal_verdict

__all__ = ["STAMP_DPI", "StampCheck", "check_stamps"]

STAMP_DPI = 144.0
#: how close (points) a stamp's marks may come to what the certified page already shows
_CLEARANCE_PT = 1.5
#: grey levels a pixel must change by to count as drawn on (rendering is deterministic)
_CHANGED_LEVELS = 24
#: paper rendered around the stamp so the paper's tone is known (points)
_CONTEXT_PT = 24.0


@dataclass
class StampCheck:
    """The verdict on a certification's later stamps."""

    problems: list[str] = field(default_factory=list)  # why stamps are refused (Vietnamese)
    seals: dict[str, str] = field(default_factory=dict)  # stamp field -> the signature it seals


def check_stamps(
    signed_pdf: bytes,
    final_pdf: bytes,
    stamps: Sequence[Stamp],
    geometry: dict[int, PageGeometry | None],
    blocks: Sequence[Stamp] = (),
) -> StampCheck:
    """Which stamps of ``final_pdf`` are not in blank space of ``signed_pdf``, and why.

    ``blocks`` are the widgets of the signatures ``signed_pdf`` carries: a stamp overlapping one
    is held to the seal rule instead where it draws over ink (signing.verify_seal).
    """
    out = StampCheck()
    for i, a in enumerate(stamps):
        for b in stamps[i + 1 :]:
            if a.page == b.page and _overlap(a.rect, b.rect):
                out.problems.append(
                    f"hình chữ ký '{b.field}' đè lên hình chữ ký '{a.field}' (later stamps overlap)"
                )
    if not stamps:
        return out
    with tempfile.TemporaryDirectory(prefix="sohoa-stamp-") as tmp:
        src, final = Path(tmp) / "signed.pdf", Path(tmp) / "final.pdf"
        src.write_bytes(signed_pdf)
        final.write_bytes(final_pdf)
        for stamp in stamps:
            geom = geometry.get(stamp.page)
            where = f"'{stamp.field}' (trang {stamp.page + 1})"
            if geom is None:
                out.problems.append(f"không đọc được trang của hình chữ ký {where} (page unreadable)")
                continue
            covered = _touches_ink(src, final, stamp, geom)
            sealed = [b for b in blocks if b.page == stamp.page and _overlap(b.rect, stamp.rect)]
            if covered and sealed and stamp.signed:
                why = _seal_problems(src, final, stamp, sealed, geom)
                if not why:
                    out.seals[stamp.field] = sealed[0].field
                    continue
                out.problems.extend(f"hình chữ ký {where} {w}" for w in why)
            elif covered is None:
                out.problems.append(f"không dựng được trang để kiểm tra hình chữ ký {where} (cannot render)")
            elif covered:
                out.problems.append(
                    f"hình chữ ký {where} vẽ đè hoặc sát lên nội dung đã được chứng nhận "
                    "(stamp drawn over certified content)"
                )
    return out


def _seal_problems(
    signed: Path, final: Path, stamp: Stamp, blocks: Sequence[Stamp], geom: PageGeometry
) -> list[str]:
    """Why a stamp over a signer's block is not a seal that hides nothing (empty: accepted)."""
    s = STAMP_DPI / 72.0
    box, (r0, r1, c0, c1) = _crop(stamp.rect, geom, s)
    before = _render(signed, stamp.page, box, colour=True)
    after = _render(final, stamp.page, box, colour=True)
    if before is None or after is None or before.shape != after.shape:
        return ["không dựng được trang để kiểm tra (cannot render)"]
    gray = cv2.cvtColor(before, cv2.COLOR_BGR2GRAY)
    paper = max(200, int(np.percentile(gray, 90)))
    threshold = max(0, min(235, paper - 25))  # as placement.ink_mask
    k = max(1, round(_CLEARANCE_PT * s))
    near_ink = cv2.dilate((gray < threshold).astype(np.uint8), np.ones((2 * k + 1, 2 * k + 1), np.uint8))
    mask = np.zeros(gray.shape, bool)
    mask[r0:r1, c0:c1] = True
    hood = np.zeros(gray.shape, bool)
    for b in blocks:
        g = max(b.rect[2] - b.rect[0], b.rect[3] - b.rect[1]) / 2
        grown = (b.rect[0] - g, b.rect[1] - g, b.rect[2] + g, b.rect[3] + g)
        u0, v0, u1, v1 = geom.to_display(grown)
        px, py = box[0], box[1]
        y0, y1 = max(0, int(v0 * s) - py), max(0, int(np.ceil(v1 * s)) - py)
        x0, x1 = max(0, int(u0 * s) - px), max(0, int(np.ceil(u1 * s)) - px)
        hood[y0:y1, x0:x1] = True
    verdict = seal_verdict(before, after, mask, hood, near_ink.astype(bool), threshold, s)
    why = []
    if verdict.outside:
        why.append("vẽ đè hoặc sát lên nội dung đã được chứng nhận (stamp drawn over certified content)")
    if verdict.hidden:
        why.append("che mất chữ ký hoặc nội dung đã được chứng nhận bên dưới (stamp hides certified content)")
    if verdict.not_one_colour:
        why.append(
            "đè lên chữ ký nhưng không phải hình con dấu một màu (stamp over a signature is not a seal)"
        )
    return why


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crop(
    rect: tuple[float, float, float, float], geom: PageGeometry, s: float
) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]]:
    """The pixel box rendered around ``rect`` (with paper context) and ``rect``'s rows/columns in it."""
    u0, v0, u1, v1 = geom.to_display(rect)
    pw, ph = geom.display_size
    x0, y0 = max(0.0, u0 - _CONTEXT_PT), max(0.0, v0 - _CONTEXT_PT)
    x1, y1 = min(pw, u1 + _CONTEXT_PT), min(ph, v1 + _CONTEXT_PT)
    px, py = int(x0 * s), int(y0 * s)
    box = (px, py, max(1, int(np.ceil(x1 * s)) - px), max(1, int(np.ceil(y1 * s)) - py))
    r0, r1 = max(0, int(v0 * s) - py), min(box[3], int(np.ceil(v1 * s)) - py)
    c0, c1 = max(0, int(u0 * s) - px), min(box[2], int(np.ceil(u1 * s)) - px)
    return box, (r0, r1, c0, c1)


def _render(src: Path, page: int, box: tuple[int, int, int, int], colour: bool = False) -> np.ndarray | None:
    px, py, w, h = box
    mode = [] if colour else ["-gray"]
    try:
        proc = subprocess.run(
            ["pdftoppm", "-cropbox", *mode, "-r", f"{STAMP_DPI:.0f}", "-f", str(page + 1),
             "-l", str(page + 1), "-x", str(px), "-y", str(py), "-W", str(w), "-H", str(h), str(src)],
            capture_output=True, check=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    flag = cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE
    return cv2.imdecode(np.frombuffer(proc.stdout, np.uint8), flag)


def _touches_ink(signed: Path, final: Path, stamp: Stamp, geom: PageGeometry) -> bool | None:
    """Does the stamp change a pixel on or near the certified page's ink? None: cannot render."""
    u0, v0, u1, v1 = geom.to_display(stamp.rect)
    pw, ph = geom.display_size
    if u1 <= 0 or v1 <= 0 or u0 >= pw or v0 >= ph:
        return False  # entirely off the visible page: it shows nothing
    s = STAMP_DPI / 72.0
    box, (r0, r1, c0, c1) = _crop(stamp.rect, geom, s)
    before, after = _render(signed, stamp.page, box), _render(final, stamp.page, box)
    if before is None or after is None or before.shape != after.shape:
        return None
    k = max(1, round(_CLEARANCE_PT * s))
    near_ink = cv2.dilate(ink_mask(before).astype(np.uint8), np.ones((2 * k + 1, 2 * k + 1), np.uint8))
    changed = np.abs(before.astype(np.int16) - after.astype(np.int16)) > _CHANGED_LEVELS
    if r1 <= r0 or c1 <= c0:
        return False
    return bool((changed & near_ink.astype(bool))[r0:r1, c0:c1].any())
