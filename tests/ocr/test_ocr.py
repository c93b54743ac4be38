"""Real Tesseract on rendered Vietnamese pages: text, searchable PDF, executors, time limit, DPI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from config.settings import OcrSettings
from ocr.dpi import estimate_dpi
from ocr.metrics import cer
from ocr.page import process_page
from ocr.searchable import merge_pdfs
from ocr.source import open_scan
from pipeline.executor import ProcessExecutor, SerialExecutor
from pipeline.ocr_pages import ocr_pages
from tests.ocr.render import add_noise, render_page, rotate_bound, save_png


def test_vietnamese_page_text_close_to_truth(
    tmp_path: Path, page_300: tuple[np.ndarray, str], settings: OcrSettings
) -> None:
    pixels, truth = page_300
    path = save_png(add_noise(rotate_bound(pixels, 2.5), sigma=10), tmp_path / "scan.png", dpi=300)
    page = process_page(path, 0, settings, tmp_path / "work")
    assert cer(page.text, truth) < 0.02
    assert "Nguyễn Thị Thu Hương" in page.text
    assert page.confidence > 0.8
    assert page.lines and all(line.words for line in page.lines)
    assert page.lines[0].text.startswith("CỘNG HÒA")
    assert page.skew == pytest.approx(-2.5, abs=0.3)
    assert page.dpi == pytest.approx(300) and not page.dpi_estimated


def test_searchable_pdf_extracts_as_vietnamese(
    tmp_path: Path, png_page: Path, settings: OcrSettings, page_300: tuple[np.ndarray, str]
) -> None:
    page = process_page(png_page, 0, settings, tmp_path / "work")
    assert page.pdf_path is not None and page.pdf_path.exists()
    merged = merge_pdfs([page.pdf_path, page.pdf_path], tmp_path / "doc.pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(merged), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert cer(text.split("\f")[0], page_300[1]) < 0.02
    assert "Giới tính: Nữ" in text
    with pikepdf.open(merged) as pdf:
        assert len(pdf.pages) == 2
        box = [float(v) for v in pdf.pages[0].mediabox]
        # A4 at 300 dpi: 2481 x 3507 px = 595 x 842 pt
        assert box[2] - box[0] == pytest.approx(595.4, abs=1.5)
        assert box[3] - box[1] == pytest.approx(841.7, abs=1.5)


def test_executors_return_pages_in_order(tmp_path: Path, settings: OcrSettings) -> None:
    frames = []
    for n in range(4):
        grey, _ = render_page([f"Trang số {n + 1} của hồ sơ", "Xã Đông Hưng"], dpi=150)
        frames.append(Image.fromarray(grey))
    path = tmp_path / "scan.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(150, 150))
    seen: list[tuple[int, int]] = []
    with ProcessExecutor(2) as pool:
        parallel = ocr_pages(path, settings, pool, tmp_path / "p", progress=lambda d, t: seen.append((d, t)))
    serial = ocr_pages(path, settings, SerialExecutor(), tmp_path / "s")
    assert [p.page_number for p in parallel] == [1, 2, 3, 4]
    for n, page in enumerate(parallel):
        assert f"Trang số {n + 1}" in page.text
        assert page.text == serial[n].text
        assert any("Độ phân giải thấp" in w for w in page.warnings)  # 150 dpi < 200
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)


def test_executor_processes_run_opencv_on_one_thread() -> None:
    # pages are the parallelism: a page process's own OpenCV threads would fight the others
    import cv2

    assert cv2.getNumThreads() > 1 or os.cpu_count() == 1  # the default this is about
    with ProcessExecutor(2) as pool:
        threads = [r.unwrap() for r in pool.map_unordered(cv2.getNumThreads, [(), ()])]
    assert threads == [1, 1]


def test_executor_reports_task_errors_without_stopping_others() -> None:
    with ProcessExecutor(2) as pool:
        results = sorted(pool.map_unordered(divmod, [(7, 2), (1, 0), (9, 3)]), key=lambda r: r.index)
    assert results[0].value == (3, 1) and results[2].value == (3, 0)
    assert isinstance(results[1].error, ZeroDivisionError)


def test_page_timeout_gives_warning_and_empty_text(tmp_path: Path, png_page: Path) -> None:
    tight = OcrSettings(page_timeout=0.01)
    page = process_page(png_page, 0, tight, tmp_path / "work")
    assert page.text == "" and page.lines == []
    assert any("quá thời gian" in w for w in page.warnings)
    assert page.pdf_path is not None and page.pdf_path.exists()  # the image is still kept


def test_blank_page_kept_but_not_ocrd(tmp_path: Path, settings: OcrSettings) -> None:
    path = save_png(np.full((1754, 1240), 252, np.uint8), tmp_path / "blank.png", dpi=150)
    page = process_page(path, 0, settings, tmp_path / "work")
    assert page.blank and page.text == "" and page.confidence == 0.0
    assert page.pdf_path is not None and page.pdf_path.exists()


@pytest.mark.parametrize(
    ("size_in", "dpi"),
    [((8.27, 11.69), 300), ((8.27, 11.69), 200), ((3.37, 2.125), 600), ((3.37, 2.125), 300)],
)
def test_dpi_estimated_from_paper_size(size_in: tuple[float, float], dpi: int) -> None:
    grey, _ = render_page(dpi=dpi, size_in=size_in, font_pt=13 if size_in[0] > 5 else 7)
    assert estimate_dpi(grey.shape[1], grey.shape[0], grey) == pytest.approx(dpi, rel=0.05)


def test_image_without_dpi_gets_estimate_and_warning(tmp_path: Path, settings: OcrSettings) -> None:
    grey, _ = render_page(dpi=200)
    path = save_png(grey, tmp_path / "nodpi.png", dpi=None)
    page = open_scan(path, settings).load_page(0)
    assert page.dpi_estimated
    assert page.dpi == pytest.approx(200, rel=0.05)
    assert any("ước tính" in w for w in page.warnings)


def test_pdf_rendered_at_its_images_resolution(tmp_path: Path, settings: OcrSettings) -> None:
    grey, _ = render_page(dpi=240)
    path = tmp_path / "scan.pdf"
    Image.fromarray(grey).save(path, resolution=240)
    page = open_scan(path, settings).load_page(0)
    assert page.dpi == pytest.approx(240, abs=1)
    assert abs(page.pixels.shape[0] - grey.shape[0]) <= 2
    low = tmp_path / "low.pdf"
    Image.fromarray(render_page(dpi=120)[0]).save(low, resolution=120)
    warned = open_scan(low, settings).load_page(0)
    assert any("120 dpi" in w for w in warned.warnings)


def test_text_under_red_seal_is_read(tmp_path: Path, settings: OcrSettings) -> None:
    from PIL import ImageDraw

    lines = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Quốc Cường", "Nơi nhận: Như trên"]
    grey, truth = render_page(lines, dpi=300, font_pt=14)
    img = Image.fromarray(grey).convert("RGB")
    draw = ImageDraw.Draw(img)
    cx, cy, r = 500, 420, 190  # over the first three lines
    for k in range(3):
        draw.ellipse((cx - r + 28 * k, cy - r + 28 * k, cx + r - 28 * k, cy + r - 28 * k),
                     outline=(210, 40, 50), width=9)
    draw.regular_polygon((cx, cy, 60), 5, fill=(210, 40, 50))
    stamped = np.minimum(np.asarray(img), np.asarray(Image.fromarray(grey).convert("RGB")))
    path = tmp_path / "stamped.png"
    Image.fromarray(stamped).save(path, dpi=(300, 300))
    page = process_page(path, 0, settings, tmp_path / "work")
    assert "Trần Quốc Cường" in page.text
    assert cer(page.text, truth) < 0.05
