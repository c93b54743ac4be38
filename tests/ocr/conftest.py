"""Fixtures for OCR tests: rendered pages and deliberately broken files, built per test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config.settings import OcrSettings
from tests.ocr.render import render_page


@pytest.fixture
def settings() -> OcrSettings:
    return OcrSettings(jobs=2)


@pytest.fixture(scope="session")
def page_300() -> tuple[np.ndarray, str]:
    return render_page(dpi=300)


@pytest.fixture
def png_page(tmp_path: Path, page_300: tuple[np.ndarray, str]) -> Path:
    from tests.ocr.render import save_png

    return save_png(page_300[0], tmp_path / "page.png", dpi=300)
