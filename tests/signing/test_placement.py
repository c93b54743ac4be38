"""Stamps never cover the text: each is checked against the ink of the page as rendered before.

The signed file is rendered before and after signing (poppler, the page as a viewer shows it);
every pixel the signature changed must lie inside the stamp's box, and the box (grown by a
point) must hold no ink of the original rendering.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest

from signing.appearance import StampKind
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext, SignRequest, sign_bytes
from signing.placement import PageGeometry, ink_mask, render_gray
from tests.signing.conftest import OFFICIAL_NAME, PkiFixture, assert_pdfsig_valid
from tests.signing.helpers import ORG, settings_for

DPI = 72.0  # one pixel per point


def _pdf(path: Path, pages: list[tuple[list[float], bytes, int]]) -> Path:
    """Pages given as (MediaBox, content stream, /Rotate), with Helvetica as /F1."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for media, content, rotate in pages:
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=media,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )
        if rotate:
            page.Rotate = rotate
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def _lines(x: float, top: float, bottom: float, step: float, size: float, text: str) -> bytes:
    out = []
    y = top
    while y >= bottom:
        out.append(f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET")
        y -= step
    return "\n".join(out).encode()


BODY = "Can cu Luat To chuc chinh quyen dia phuong ngay 19 thang 6 nam 2015 va cac van ban huong dan"


def full_text_page() -> bytes:
    """A decision: body text to y=250, a left 'Noi nhan' block, a footer where the old fixed box was."""
    body = _lines(50, 800, 250, 13, 10, BODY)
    left = _lines(50, 220, 110, 12, 9, "Noi nhan: - Nhu Dieu 3; - Luu VT")
    right = b"BT /F1 11 Tf 380 225 Td (TM. UY BAN NHAN DAN) Tj ET"
    footer = b"BT /F1 9 Tf 470 50 Td (Trang 1/1) Tj ET\nBT /F1 9 Tf 330 80 Td (So: 123/QD-UBND) Tj ET"
    return b"\n".join([body, left, right, footer])


def _widget_boxes(pdf: Path) -> list[tuple[int, tuple[float, float, float, float]]]:
    out = []
    with pikepdf.open(pdf) as doc:
        for i, page in enumerate(doc.pages):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/FT") == "/Sig" and "/AP" in annot:
                    x0, y0, x1, y1 = (float(v) for v in annot.Rect)
                    if x1 > x0 and y1 > y0:
                        out.append((i, (x0, y0, x1, y1)))
    return out


def _rotation(pdf: Path, index: int) -> tuple[tuple[float, float, float, float], int]:
    with pikepdf.open(pdf) as doc:
        page = doc.pages[index]
        box = [float(v) for v in page.cropbox]
        return (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])), int(
            page.obj.get("/Rotate", 0)
        )


def assert_stamp_on_empty_space(before: bytes, after: Path, index: int) -> tuple[float, float, float, float]:
    """The stamp's displayed box: inside the page, over no original ink, and all the change."""
    crop, rotate = _rotation(after, index)
    geom = PageGeometry(crop, rotate)
    [(_, rect)] = [w for w in _widget_boxes(after) if w[0] == index][-1:]
    cx0, cy0, cx1, cy1 = crop
    assert cx0 <= rect[0] < rect[2] <= cx1 and cy0 <= rect[1] < rect[3] <= cy1, (rect, crop)
    u0, v0, u1, v1 = geom.to_display(rect)
    ink = ink_mask(render_gray(before, index, DPI))
    new = render_gray(after.read_bytes(), index, DPI)
    old = render_gray(before, index, DPI)
    assert ink.shape == new.shape
    r0, r1, c0, c1 = int(v0) - 1, int(np.ceil(v1)) + 1, int(u0) - 1, int(np.ceil(u1)) + 1
    assert not ink[max(0, r0) : r1, max(0, c0) : c1].any(), "the stamp covers ink"
    changed = np.abs(new.astype(int) - old.astype(int)) > 40
    assert changed.any(), "no stamp was drawn"
    outside = changed.copy()
    outside[max(0, r0) : r1, max(0, c0) : c1] = False
    assert not outside.any(), "the signature drew outside its box"
    return (u0, v0, u1, v1)


def _sign(
    pki: PkiFixture, tmp_path: Path, data: bytes, request: SignRequest, notes: list[str] | None = None
) -> bytes:
    """The official signs, except the seal's stamp, which the seal signs."""
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    p12 = pki.seal_p12 if request.stamp is StampKind.SEAL else pki.pki.official_rsa.p12
    signer = load_pkcs12_signer(p12, pki.passphrase)
    return sign_bytes(data, signer, request, ctx, notes=notes)


def test_stamp_on_a_full_text_page_covers_no_ink(pki: PkiFixture, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "in.pdf", [([0, 0, 595, 842], full_text_page(), 0)]).read_bytes()
    out = tmp_path / "out.pdf"
    out.write_bytes(_sign(pki, tmp_path, src, SignRequest()))
    u0, v0, u1, v1 = assert_stamp_on_empty_space(src, out, 0)
    assert u1 - u0 >= 200 and v1 - v0 >= 55, "an A4 page keeps the stamp at (about) full size"
    assert v0 > 842 / 2 and u0 > 595 / 3, "bottom right is preferred"
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 1
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])


def test_seal_after_official_takes_other_space(pki: PkiFixture, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "in.pdf", [([0, 0, 595, 842], full_text_page(), 0)]).read_bytes()
    first = _sign(pki, tmp_path, src, SignRequest())
    out = tmp_path / "out.pdf"
    out.write_bytes(_sign(pki, tmp_path, first, SignRequest(stamp=StampKind.SEAL)))
    assert_stamp_on_empty_space(first, out, 0)
    [(_, a), (_, b)] = _widget_boxes(out)
    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], "the two stamps overlap"
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORG])


def test_id_card_page_gets_a_scaled_stamp(pki: PkiFixture, tmp_path: Path) -> None:
    """A CCCD-sized page (85.6 x 54 mm): photo on the left, text lines, space at the bottom right."""
    photo = b"0.3 g 12 30 60 80 re f 0 g"
    text = _lines(82, 128, 70, 10, 6, "Ho va ten: NGUYEN VAN AN")
    src = _pdf(tmp_path / "in.pdf", [([0, 0, 243, 153], photo + b"\n" + text, 0)]).read_bytes()
    out = tmp_path / "out.pdf"
    out.write_bytes(_sign(pki, tmp_path, src, SignRequest()))
    u0, v0, u1, v1 = assert_stamp_on_empty_space(src, out, 0)
    assert u1 - u0 <= 0.5 * 243, "scaled to the card"
    assert (u1 - u0) / (v1 - v0) == pytest.approx(230 / 66, rel=0.1), "scaled, not squeezed"
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 1
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])


@pytest.mark.parametrize("rotate", [90, 270])
def test_rotated_page_gets_an_upright_stamp_inside_it(pki: PkiFixture, tmp_path: Path, rotate: int) -> None:
    """A landscape page stored portrait with /Rotate, cropped: the stamp stays in the crop, upright."""
    content = _lines(60, 780, 120, 13, 10, BODY[:60])
    src_path = _pdf(tmp_path / "in.pdf", [([0, 0, 595, 842], content, rotate)])
    with pikepdf.open(src_path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.CropBox = [20, 30, 580, 830]
        pdf.save(src_path)
    src = src_path.read_bytes()
    out = tmp_path / "out.pdf"
    out.write_bytes(_sign(pki, tmp_path, src, SignRequest()))
    u0, v0, u1, v1 = assert_stamp_on_empty_space(src, out, 0)
    assert u1 - u0 > 2 * (v1 - v0), "the stamp is wider than tall as displayed"
    # the stamp's text reads left to right on the displayed page
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ký bởi" in bbox
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])


def _dark_page() -> bytes:
    """A page with ink everywhere (a dark photo scan): no room anywhere."""
    return b"0.2 g 0 0 595 842 re f"


def test_page_without_room_gets_a_signature_page(pki: PkiFixture, tmp_path: Path) -> None:
    src = _pdf(tmp_path / "in.pdf", [([0, 0, 595, 842], _dark_page(), 0)]).read_bytes()
    out = tmp_path / "out.pdf"
    out.write_bytes(_sign(pki, tmp_path, src, SignRequest()))
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 2
    [(page, rect)] = _widget_boxes(out)
    assert page == 1
    assert 0 <= rect[0] < rect[2] <= 595 and 0 <= rect[1] < rect[3] <= 842
    assert out.read_bytes().startswith(src)
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])


def test_signed_input_without_room_gets_no_page_and_an_invisible_signature(
    pki: PkiFixture, tmp_path: Path
) -> None:
    src = _pdf(tmp_path / "in.pdf", [([0, 0, 595, 842], _dark_page(), 0)]).read_bytes()
    first = _sign(pki, tmp_path, src, SignRequest(stamp=StampKind.NONE))
    notes: list[str] = []
    out = tmp_path / "out.pdf"
    out.write_bytes(_sign(pki, tmp_path, first, SignRequest(stamp=StampKind.SEAL), notes))
    with pikepdf.open(out) as doc:
        assert len(doc.pages) == 1
    assert _widget_boxes(out) == []
    assert len(notes) == 1 and "không hiển thị" in notes[0]
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORG])
