"""Cleaning steps on rendered pages with a known rotation, skew, placement or emptiness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr.preprocess.blank import is_blank
from ocr.preprocess.clean import clean_page
from ocr.preprocess.crop import card_box, paper_box
from ocr.preprocess.deskew import detect_skew
from ocr.preprocess.illumination import normalise_light
from ocr.preprocess.orientation import osd_rotation, tesseract_osd
from ocr.preprocess.seal import drop_red_ink
from tests.ocr.render import add_noise, render_page, rotate_bound

DPI = 150  # enough for layout analysis, and quick


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return render_page(dpi=DPI)[0]


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_orientation_is_undone(page: np.ndarray, turned: int) -> None:
    # Pillow turns counter-clockwise; the page must be turned back clockwise by the same amount.
    cleaned = clean_page(rotate_bound(page, turned), DPI)
    assert cleaned.rotation == turned
    assert cleaned.grey.shape[:2] == page.shape[:2]


@pytest.mark.parametrize("turned", [0, 90, 180])
def test_tesseract_osd_reads_the_turn(page: np.ndarray, turned: int) -> None:
    # Tesseract called directly (pixels on stdin), the same report as pytesseract's wrapper gave
    import pytesseract

    turned_page = rotate_bound(page, turned)
    report = tesseract_osd(turned_page, DPI)
    assert report is not None and report["Rotate"] == str(turned)
    wrapper = pytesseract.image_to_osd(turned_page, config=f"--dpi {DPI} --psm 0", output_type="dict")
    assert float(report["Orientation confidence"]) == wrapper["orientation_conf"]
    assert report["Script"] == wrapper["script"]
    if turned == 0:
        assert osd_rotation(turned_page, DPI) == 0


def test_tesseract_osd_without_text_says_nothing() -> None:
    assert osd_rotation(np.full((600, 400), 255, np.uint8), DPI) is None
    assert tesseract_osd(np.full((600, 400), 255, np.uint8), DPI, timeout=0.001) is None  # killed


@pytest.mark.parametrize("angle", [-8.0, -4.5, 2.0, 5.0, 9.5])
def test_skew_is_measured(page: np.ndarray, angle: float) -> None:
    skewed = rotate_bound(page, angle)
    # Pillow's positive angle turns counter-clockwise: lines then rise to the right.
    assert detect_skew(skewed, DPI) == pytest.approx(-angle, abs=0.25)


def test_deskew_straightens_lines(page: np.ndarray) -> None:
    cleaned = clean_page(rotate_bound(page, 4.0), DPI)
    assert cleaned.skew == pytest.approx(-4.0, abs=0.25)
    assert abs(detect_skew(cleaned.grey, DPI)) <= 0.25


def test_skewed_and_upside_down(page: np.ndarray) -> None:
    cleaned = clean_page(rotate_bound(rotate_bound(page, 3.0), 180), DPI)
    assert cleaned.rotation == 180
    assert cleaned.skew == pytest.approx(-3.0, abs=0.3)


def test_blank_page_detected_despite_noise() -> None:
    blank = add_noise(np.full((int(11.69 * DPI), int(8.27 * DPI)), 250, np.uint8), sigma=6)
    # A few dust specks and a scanner edge line are not text.
    blank[100:102, 100:102] = 0
    blank[:, 3] = 0
    assert is_blank(blank, DPI)
    assert clean_page(blank, DPI).blank


def test_page_with_one_short_line_is_not_blank() -> None:
    grey, _ = render_page(["Ký tên"], dpi=DPI)
    assert not is_blank(grey, DPI)


def _card_on_bed(cards: int, dpi: int = DPI) -> tuple[np.ndarray, tuple[int, int]]:
    bed = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    card_w, card_h = round(3.37 * dpi), round(2.125 * dpi)
    card, _ = render_page(
        ["CĂN CƯỚC CÔNG DÂN", "Số: 001095001234", "Họ và tên: NGUYỄN VĂN AN"],
        dpi=dpi,
        size_in=(3.37, 2.125),
        font_pt=8,
    )
    card_img = Image.fromarray(np.minimum(card, 215).astype(np.uint8))  # tinted card background
    draw = ImageDraw.Draw(card_img)
    draw.rectangle((0, 0, card_w - 1, card_h - 1), outline=90, width=2)
    bed.paste(card_img, (round(0.6 * dpi), round(0.7 * dpi)))
    if cards == 2:
        bed.paste(card_img, (round(0.6 * dpi), round(0.7 * dpi) + card_h + round(0.5 * dpi)))
    return np.asarray(bed).copy(), (card_w, card_h)


def test_single_card_on_a4_bed_is_cropped() -> None:
    bed, (card_w, card_h) = _card_on_bed(1)
    box = card_box(bed, DPI)
    assert box is not None
    assert abs((box.right - box.left) - card_w) < 0.3 * DPI
    assert abs((box.bottom - box.top) - card_h) < 0.3 * DPI


def test_front_and_back_cropped_to_their_union() -> None:
    bed, (card_w, card_h) = _card_on_bed(2)
    box = card_box(bed, DPI)
    assert box is not None
    assert abs((box.right - box.left) - card_w) < 0.3 * DPI
    assert (box.bottom - box.top) > 2 * card_h
    assert (box.bottom - box.top) < 2 * card_h + DPI


def test_short_letter_keeps_its_page_size(page: np.ndarray) -> None:
    assert card_box(page, DPI) is None
    cleaned = clean_page(page, DPI)
    assert cleaned.grey.shape == page.shape
    assert not cleaned.cropped


def test_dark_scanner_bed_is_cropped_to_the_paper(page: np.ndarray) -> None:
    h, w = page.shape
    bed = np.full((h + 120, w + 160), 20, np.uint8)
    bed[60 : 60 + h, 80 : 80 + w] = page
    box = paper_box(bed, DPI)
    assert box is not None
    assert abs(box.left - 80) <= 12 and abs(box.top - 60) <= 12
    assert abs((box.right - box.left) - w) <= 24


def test_uneven_light_is_flattened(page: np.ndarray) -> None:
    w = page.shape[1]
    gradient = np.linspace(0.45, 1.0, w, dtype=np.float32)[None, :]
    dim = (page.astype(np.float32) * gradient).astype(np.uint8)
    flat = normalise_light(dim, DPI)
    paper = flat[page > 250]
    assert np.percentile(paper, 5) > 200  # the dark side's paper is white again
    assert np.median(flat[page < 60]) < 100  # and the ink is still ink


def test_red_seal_ink_is_lifted_but_black_text_stays() -> None:
    import cv2

    dpi = 150
    rgb = np.full((400, 400, 3), 255, np.uint8)
    rgb[50:60, 20:380] = (0, 0, 0)  # black text stroke
    cv2.circle(rgb, (200, 220), 90, (200, 30, 40), 8)  # red seal ring
    rgb[330:340, 20:380] = (20, 40, 160)  # blue signature stroke
    rgb[370:382, 20:300] = (200, 30, 40)  # a red printed line (a certificate's serial number)
    grey, share = drop_red_ink(rgb, dpi)
    assert share > 0
    assert grey[55, 100] < 50
    assert grey[220, 110] > 180  # on the ring
    assert grey[335, 100] < 120
    assert grey[376, 100] < 120  # red text is text, not a seal


def test_grey_seal_ring_lifted_text_kept() -> None:
    from ocr.preprocess.grey_seal import lift_grey_seals

    page, _ = render_page(["Nguyễn Minh Nguyệt"] * 3, dpi=DPI)
    img = Image.fromarray(page.copy())
    draw = ImageDraw.Draw(img)
    cx, cy, r = 2 * DPI, int(1.2 * DPI), int(0.65 * DPI)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=130, width=max(2, DPI // 40))
    draw.ellipse((cx - r + 20, cy - r + 20, cx + r - 20, cy + r - 20), outline=130, width=2)
    stamped = np.minimum(np.asarray(img), page)
    lifted, count = lift_grey_seals(stamped, DPI)
    assert count == 1
    ring = (stamped == 130) & (page == 255)
    assert np.all(lifted[ring] == 255)
    assert np.array_equal(lifted[page < 60], stamped[page < 60])  # the text's core is untouched


def test_grey_seal_not_triggered_on_plain_text(page: np.ndarray) -> None:
    from ocr.preprocess.grey_seal import lift_grey_seals

    _lifted, count = lift_grey_seals(page, DPI)
    assert count == 0


def test_denoise_removes_specks_and_grain_but_keeps_text(page: np.ndarray) -> None:
    from ocr.preprocess.denoise import denoise

    noisy = page.copy()
    rng = np.random.default_rng(3)
    ys, xs = rng.integers(0, DPI // 2, 300), rng.integers(0, page.shape[1], 300)  # the empty top margin
    clear = page[ys, xs] == 255
    noisy[ys[clear], xs[clear]] = 0  # single-pixel dust on paper
    noisy = np.where(noisy == 255, 225, noisy).astype(np.uint8)  # grey paper grain
    out = denoise(noisy, DPI)
    assert np.all(out[ys[clear], xs[clear]] == 255)
    assert np.percentile(out[page == 255], 50) == 255
    assert np.median(out[page < 60]) < 60


@pytest.mark.parametrize("dpi", [150, 300])
def test_a_short_red_word_of_a_serial_is_text_not_a_seal(dpi: int, tmp_path: Path) -> None:
    """Judged word by word, "DB" of a land certificate's red "DB 864821" is as high as it is
    wide and was lifted as seal ink: the serial then read "864821". Real Tesseract reads it back."""
    import subprocess

    from PIL import ImageFont

    from tests.ocr.render import SERIF_BOLD

    red = (200, 30, 40)
    img = Image.new("RGB", (round(5.5 * dpi), round(3.2 * dpi)), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(SERIF_BOLD, round(14 * dpi / 72))
    draw.text((round(0.3 * dpi), round(0.3 * dpi)), "Số phát hành: DB 864821", fill=red, font=font)
    cx, cy, r = round(4.3 * dpi), round(2.0 * dpi), round(0.75 * dpi)  # a round seal beside it
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, dpi // 30))
    draw.text((cx - r // 2, cy - r // 6), "UBND", fill=red, font=font)
    grey, share = drop_red_ink(np.asarray(img), dpi)
    assert share > 0
    assert grey[cy, cx - r + dpi // 60] > 180  # the ring is lifted
    line = grey[: round(0.9 * dpi), : round(4.0 * dpi)]
    path = tmp_path / "serial.png"
    Image.fromarray(line).save(path, dpi=(dpi, dpi))
    text = subprocess.run(
        ["tesseract", str(path), "-", "-l", "vie", "--psm", "7"], capture_output=True, text=True, check=True
    ).stdout
    assert "DB 864821" in text, text
