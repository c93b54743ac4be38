"""Stamps look right: natural glyph spacing, the seal image, placement and its refusals."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from signing.appearance import Placement, StampKind
from signing.errors import SigningError
from signing.fonts import find_font, missing_vietnamese_glyphs, pdf_ready_font
from signing.keyfile import load_pkcs12_signer
from signing.pades import SigningContext, SignRequest, sign_file
from signing.seal_image import draw_seal
from tests.signing.conftest import PkiFixture, assert_pdfsig_valid
from tests.signing.helpers import ORG, settings_for
from tests.signing.pdfs import text_pdf

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _words(pdf: Path) -> list[tuple[float, float, float, str]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [(float(a), float(b), float(c), w) for a, b, c, _, w in WORD.findall(html)]


def test_stamp_text_has_natural_width_and_stays_in_its_box(pki: PkiFixture, tmp_path: Path) -> None:
    """Guards the 1000-units-per-em font fix: unscaled 2048-unit widths double the spacing."""
    src, out = text_pdf(tmp_path / "in.pdf"), tmp_path / "out.pdf"
    box = (300.0, 40.0, 560.0, 110.0)
    ctx = SigningContext.from_settings(settings_for(tmp_path, pki))
    seal = load_pkcs12_signer(pki.seal_p12, pki.passphrase)
    sign_file(src, out, seal, SignRequest(placement=Placement(1, box)), ctx)
    words = _words(out)
    # pyHanko marks each stamp line as one /ActualText span, which pdftotext reports as one word
    [line] = [w for w in words if re.fullmatch(r"Thời gian ký: \d\d/\d\d/\d{4} \d\d:\d\d", w[3])]
    x0, top, x1, _ = line
    # 30 characters at 8 pt of DejaVu Sans take about 130 pt; with doubled spacing about 260
    assert 90 < x1 - x0 < 180, line
    page_h = 842
    assert box[0] <= x0 and x1 <= box[2] and box[1] <= page_h - top <= box[3]
    assert any(w[3] == f"Ký bởi: {ORG}" for w in words)
    assert_pdfsig_valid(pki.nss_dir, out, [ORG])


def test_default_seal_is_a_red_ring_with_transparency(pki: PkiFixture) -> None:
    img = draw_seal(ORG, pki.font, size=300)
    assert img.mode == "RGBA" and img.size == (300, 300)
    assert img.getpixel((2, 2))[3] == 0  # transparent corner
    r, g, b, a = img.getpixel((150, 150 - 30))  # inside the star
    assert a == 255 and r > 150 and g < 60 and b < 80


def test_configured_seal_image_is_embedded(pki: PkiFixture, tmp_path: Path) -> None:
    png = tmp_path / "dau.png"
    Image.new("RGBA", (64, 64), (0, 0, 255, 255)).save(png)
    s = settings_for(tmp_path, pki)
    s.signing.seal_image = png
    ctx = SigningContext.from_settings(s)
    assert ctx.seal_image == png
    out = tmp_path / "out.pdf"
    sign_file(text_pdf(tmp_path / "in.pdf"), out, load_pkcs12_signer(pki.seal_p12, pki.passphrase),
              SignRequest(stamp=StampKind.SEAL), ctx)  # fmt: skip
    ppm = subprocess.run(
        ["pdftoppm", "-r", "36", "-f", "1", "-l", "1", str(out)], capture_output=True, check=True, timeout=60
    ).stdout
    assert b"\x00\x00\xff" in ppm  # the blue test seal is drawn on the page
    assert_pdfsig_valid(pki.nss_dir, out, [ORG])
    s.signing.seal_image = tmp_path / "missing.png"
    with pytest.raises(SigningError, match="ảnh con dấu"):
        SigningContext.from_settings(s)


def test_page_out_of_range_is_refused(pki: PkiFixture, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    with pytest.raises(SigningError, match="Trang 5"):
        sign_file(
            text_pdf(tmp_path / "in.pdf", pages=2),
            out,
            load_pkcs12_signer(pki.seal_p12, pki.passphrase),
            SignRequest(placement=Placement(5)),
            SigningContext.from_settings(settings_for(tmp_path, pki)),
        )
    assert not out.exists()


def test_stamp_font_keeps_vietnamese_and_is_rescaled(pki: PkiFixture) -> None:
    from fontTools.ttLib import TTFont

    assert missing_vietnamese_glyphs(pki.font) == ""
    assert TTFont(str(pki.font))["head"].unitsPerEm == 1000
    assert pki.font.stat().st_size < find_font(None).stat().st_size / 3
    assert pdf_ready_font(find_font(None), pki.font.parent) == pki.font  # cached, not rebuilt


def test_default_stamp_lands_inside_the_crop_box(pki: PkiFixture, tmp_path: Path) -> None:
    import pikepdf

    src = text_pdf(tmp_path / "in.pdf")
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.CropBox = [100, 150, 495, 742]
        pdf.save(src)
    out = tmp_path / "out.pdf"
    sign_file(src, out, load_pkcs12_signer(pki.seal_p12, pki.passphrase), SignRequest(),
              SigningContext.from_settings(settings_for(tmp_path, pki)))  # fmt: skip
    with pikepdf.open(out) as pdf:
        [widget] = [a for a in pdf.pages[0].obj.Annots if a.get("/FT") == "/Sig"]
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
    assert 100 <= x0 < x1 <= 495 and 150 <= y0 < y1 <= 742
    assert_pdfsig_valid(pki.nss_dir, out, [ORG])
