"""PDF decompression bombs: every image a page paints counts, wherever it sits, before rendering.

Each PDF here is tiny on disk and claims images far larger than it holds: the checks must refuse
them from the objects alone (nothing is decoded), and quarantine them under a reason code.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from config.errors import ExitCode
from config.settings import OcrSettings
from ocr import errors
from ocr.source import open_scan


def _image(pdf: pikepdf.Pdf, width: int, height: int) -> pikepdf.Stream:
    """A bilevel image XObject whose header claims ``width`` x ``height`` (data is a stub)."""
    image = pdf.make_stream(b"\x00" * 16)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = width, height
    image.BitsPerComponent = 1
    image.ColorSpace = pikepdf.Name.DeviceGray
    return image


def _form(pdf: pikepdf.Pdf, content: bytes, xobjects: dict[str, pikepdf.Object]) -> pikepdf.Stream:
    form = pdf.make_stream(content)
    form.Type = pikepdf.Name.XObject
    form.Subtype = pikepdf.Name.Form
    form.BBox = [0, 0, 595, 842]
    form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(xobjects))
    return form


def _page(pdf: pikepdf.Pdf, content: bytes, xobjects: dict[str, pikepdf.Object]) -> None:
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[-1]
    page.obj.Contents = pdf.make_stream(content)
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(xobjects))


def _save(pdf: pikepdf.Pdf, path: Path) -> Path:
    pdf.save(path)
    return path


def _expect_refused(
    path: Path, settings: OcrSettings, error: type[errors.InputFileError], reason: str
) -> None:
    with pytest.raises(error) as info:
        open_scan(path, settings)
    assert info.value.reason == reason
    assert info.value.exit_code == ExitCode.INPUT_FILE
    assert path.name in str(info.value)
    # Workers open without validating and load one page: the page check stands on its own.
    source = open_scan(path, settings, validate=False)
    try:
        with pytest.raises(error):
            source.load_page(0)
    finally:
        source.close()


def test_image_nested_four_forms_deep_is_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    inner: pikepdf.Object = pdf.make_indirect(_image(pdf, 60_000, 60_000))  # 3600 MP
    for level in range(4):
        inner = pdf.make_indirect(_form(pdf, b"/X Do", {"/X": inner}))
        assert level < 4
    _page(pdf, b"/X Do", {"/X": inner})
    path = _save(pdf, tmp_path / "nested.pdf")
    assert path.stat().st_size < 10_000
    _expect_refused(path, OcrSettings(), errors.ImageBombError, "image_bomb")


def test_shared_image_counts_once_per_placement(tmp_path: Path) -> None:
    """Five placements of a 64 MP image: each alone is under the 250 MP cap, the page is not."""
    pdf = pikepdf.new()
    image = pdf.make_indirect(_image(pdf, 8_000, 8_000))
    _page(pdf, b"q 595 0 0 842 0 0 cm /Im Do Q\n" * 5, {"/Im": image})
    path = _save(pdf, tmp_path / "shared.pdf")
    _expect_refused(path, OcrSettings(), errors.ImageBombError, "image_bomb")


def test_form_placed_many_times_multiplies_its_images(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    image = pdf.make_indirect(_image(pdf, 4_000, 4_000))  # 16 MP
    form = pdf.make_indirect(_form(pdf, b"/Im Do /Im Do /Im Do /Im Do", {"/Im": image}))  # 64 MP
    _page(pdf, b"/F Do /F Do /F Do /F Do", {"/F": form})  # 256 MP
    path = _save(pdf, tmp_path / "multiplied.pdf")
    _expect_refused(path, OcrSettings(), errors.ImageBombError, "image_bomb")


def test_inline_image_is_counted(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    _page(pdf, b"q BI /W 60000 /H 60000 /BPC 1 /CS /G ID \x00\x00 EI Q", {})
    path = _save(pdf, tmp_path / "inline.pdf")
    _expect_refused(path, OcrSettings(), errors.ImageBombError, "image_bomb")


def test_image_in_annotation_appearance_is_counted(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    image = pdf.make_indirect(_image(pdf, 60_000, 60_000))
    _page(pdf, b"", {})
    appearance = pdf.make_indirect(_form(pdf, b"/Im Do", {"/Im": image}))
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Stamp, Rect=[0, 0, 100, 100],
        AP=pikepdf.Dictionary(N=appearance),
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    path = _save(pdf, tmp_path / "annot.pdf")
    _expect_refused(path, OcrSettings(), errors.ImageBombError, "image_bomb")


def test_soft_mask_pixels_are_counted(tmp_path: Path) -> None:
    """A 200 MP image with a 200 MP soft mask decodes 400 MP."""
    pdf = pikepdf.new()
    image = _image(pdf, 20_000, 10_000)
    image.SMask = pdf.make_indirect(_image(pdf, 20_000, 10_000))
    _page(pdf, b"/Im Do", {"/Im": pdf.make_indirect(image)})
    path = _save(pdf, tmp_path / "smask.pdf")
    _expect_refused(path, OcrSettings(), errors.ImageBombError, "image_bomb")


def test_cyclic_forms_are_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    form_a = pdf.make_indirect(_form(pdf, b"/B Do", {}))
    form_b = pdf.make_indirect(_form(pdf, b"/A Do", {"/A": form_a}))
    form_a.Resources.XObject.B = form_b
    _page(pdf, b"/A Do", {"/A": form_a})
    path = _save(pdf, tmp_path / "cycle.pdf")
    _expect_refused(path, OcrSettings(), errors.PdfNestingError, "pdf_nesting")


def test_forms_nested_too_deep_are_refused(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    inner: pikepdf.Object = pdf.make_indirect(_image(pdf, 10, 10))
    for _ in range(40):
        inner = pdf.make_indirect(_form(pdf, b"/X Do", {"/X": inner}))
    _page(pdf, b"/X Do", {"/X": inner})
    path = _save(pdf, tmp_path / "deep.pdf")
    _expect_refused(path, OcrSettings(), errors.PdfNestingError, "pdf_nesting")


def test_file_total_is_capped(tmp_path: Path) -> None:
    """Each page under the page cap, the file over the file cap."""
    pdf = pikepdf.new()
    image = pdf.make_indirect(_image(pdf, 10_000, 10_000))  # 100 MP
    for _ in range(3):
        _page(pdf, b"/Im Do", {"/Im": image})
    path = _save(pdf, tmp_path / "pages.pdf")
    settings = OcrSettings(max_megapixels=150, max_file_megapixels=250)
    with pytest.raises(errors.ImageBombError) as info:
        open_scan(path, settings)
    assert info.value.reason == "image_bomb"


def test_ordinary_scan_passes(tmp_path: Path) -> None:
    """An A4 page holding one 300-dpi scan, shared by a form and the page, stays well under the cap."""
    pdf = pikepdf.new()
    image = pdf.make_indirect(_image(pdf, 2_480, 3_508))
    form = pdf.make_indirect(_form(pdf, b"/Im Do", {"/Im": image}))
    _page(pdf, b"q 595 0 0 842 0 0 cm /F Do Q", {"/F": form})
    path = _save(pdf, tmp_path / "ok.pdf")
    source = open_scan(path, OcrSettings())
    source.close()


def test_render_timeout_is_a_named_error(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    _page(pdf, b"0 0 m 595 842 l S\n" * 2000, {})
    path = _save(pdf, tmp_path / "slow.pdf")
    source = open_scan(path, OcrSettings(render_timeout=0.001))
    try:
        with pytest.raises(errors.RenderTimeoutError) as info:
            source.load_page(0)
    finally:
        source.close()
    assert info.value.reason == "render_timeout"
    assert info.value.exit_code == ExitCode.INPUT_FILE
