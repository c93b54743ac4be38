"""Dates read a second time, digits only (``ocr.dates``), on real crops of generated scans.

The scans are files of the field benchmark's family-2 *tune* split (``tests.ocr.family2_files``),
rebuilt here: a degraded CT01 whose date slots Tesseract's Vietnamese model reads as
"ÔỞ „11 , 1984" (03/11/1984: the date of birth went missing), and a marriage certificate whose
right dates come back at word confidences 0.55–0.56 (sent to review needlessly). Each page is
cleaned and OCR'd exactly as ``ocr.page.process_page`` does, then read again by the real engine.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from config.settings import OcrSettings
from ocr.dates import (
    AGREED_CONFIDENCE,
    DATE_CHARSET,
    DISAGREED_CONFIDENCE,
    crop_run,
    find_date_runs,
    find_number_runs,
    reread_dates,
)
from ocr.engine import engine_for
from ocr.models import Line
from ocr.preprocess.clean import clean_page, ocr_resolution
from ocr.preprocess.rules import lift_rules
from ocr.source import open_scan
from tests.ocr.family2_files import CT01_DEGRADED, MARRIAGE, family2_file


@dataclass
class FirstReading:
    grey: np.ndarray
    dpi: float
    lines: list[Line]
    fields: dict[str, str]
    path: Path


def _first_reading(index: int, out: Path) -> FirstReading:
    path, fields = family2_file(index, out)
    settings = OcrSettings()
    source = open_scan(path, settings, validate=False)
    try:
        page = source.load_page(0)
    finally:
        source.close()
    cleaned = clean_page(page.pixels, page.dpi)
    grey, dpi = ocr_resolution(cleaned.grey, page.dpi)
    grey = lift_rules(grey, dpi).grey
    lines = engine_for(settings).recognise(grey, dpi, out, "first").lines
    return FirstReading(grey, dpi, lines, fields, path)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="test-dates-") as wd:
        yield Path(wd)


@pytest.fixture(scope="module")
def ct01(workdir: Path) -> FirstReading:
    return _first_reading(CT01_DEGRADED, workdir / "ct01")


@pytest.fixture(scope="module")
def marriage(workdir: Path) -> FirstReading:
    return _first_reading(MARRIAGE, workdir / "marriage")


def _line_with(lines: list[Line], text: str) -> Line:
    found = [ln for ln in lines if text in ln.text]
    assert found, [ln.text for ln in lines]
    return found[0]


def test_ct01_date_slots_read_as_letters_are_read_again_as_digits(ct01: FirstReading, workdir: Path) -> None:
    assert ct01.fields["date_of_birth"] == "1984-11-03"
    first = " ".join(ln.text for ln in ct01.lines)
    assert "03/11/1984" not in first  # the first reading lost the day (the bug)
    runs = find_date_runs(ct01.lines)
    assert any("1984" in "".join(w.text for w in r.words(ct01.lines)) for r in runs)
    lines = reread_dates(ct01.grey, ct01.dpi, ct01.lines, engine_for(OcrSettings()), workdir)
    line = _line_with(lines, "03/11/1984")
    (word,) = [w for w in line.words if w.text == "03/11/1984"]
    # The day's digits were read by the second reading only: kept, but for a clerk to check.
    assert word.confidence == DISAGREED_CONFIDENCE


def test_right_dates_read_alike_twice_are_trusted(marriage: FirstReading, workdir: Path) -> None:
    assert marriage.fields["wife_date_of_birth"] == "1996-01-10"
    assert marriage.fields["registration_date"] == "2023-01-20"
    weak = [w for ln in marriage.lines for w in ln.words if w.text in ("10/01/1996", "20/01/2023")]
    assert weak and max(w.confidence for w in weak) < 0.7  # what sent them to review
    lines = reread_dates(marriage.grey, marriage.dpi, marriage.lines, engine_for(OcrSettings()), workdir)
    for text in ("10/01/1996", "20/01/2023"):
        (word,) = [w for ln in lines for w in ln.words if w.text == text]
        assert word.confidence == AGREED_CONFIDENCE


def test_engine_reads_all_crops_of_a_page_in_one_call(marriage: FirstReading, workdir: Path) -> None:
    runs = find_date_runs(marriage.lines)
    crops = [crop_run(marriage.grey, marriage.lines, r) for r in runs]
    readings = engine_for(OcrSettings()).read_lines(crops, marriage.dpi, workdir, "t", DATE_CHARSET)
    assert len(readings) == len(runs) >= 2
    texts = [r[0] for r in readings if r is not None]
    assert "10/01/1996" in texts and "20/01/2023" in texts
    assert all(set(t) <= set(DATE_CHARSET + " ") for t in texts)
    assert not list(workdir.glob("t.*"))  # the crops and the listing are removed


def test_house_numbers_are_read_again_as_digits(ct01: FirstReading, workdir: Path) -> None:
    # The degraded CT01's residence "Số 190, đường Hùng Vương, …" reads "Số 199," at word
    # confidence 0.92: a wrong address accepted unseen. Digits only, the crop reads "190".
    assert ct01.fields["place_of_residence"].startswith("Số 190,")
    first = _line_with(ct01.lines, "Số 199,")
    assert max(w.confidence for w in first.words if w.text == "199,") > 0.9
    assert find_number_runs(ct01.lines)
    lines = reread_dates(ct01.grey, ct01.dpi, ct01.lines, engine_for(OcrSettings()), workdir)
    line = _line_with(lines, "Số 199,")
    (word,) = [w for w in line.words if w.text == "199,"]
    # The two readings differ; the third, from the crop enlarged, reads "190" too, but the
    # digits-only readings are less sure than the first: the clerk checks it.
    assert word.confidence == DISAGREED_CONFIDENCE
