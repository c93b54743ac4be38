"""The OCR-engine interface: what the pipeline needs of any engine, Tesseract being one.

Pages reach an engine as a cleaned grey image and its resolution; the engine answers with
lines of words in that image's pixels and, when it can, a text-only PDF layer for the
searchable copy. ``ocr.tesseract.TesseractEngine`` implements it; ``ocr.textlayer`` reads a
born-digital PDF's own text instead, for the same page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from config.settings import OcrSettings
from ocr.tesseract import OcrResult, TesseractEngine


class OcrEngine(Protocol):
    @property
    def name(self) -> str: ...

    def recognise(self, grey: np.ndarray, dpi: float, workdir: Path, stem: str) -> OcrResult:
        """Words of ``grey`` (pixels at ``dpi``); any files go to ``workdir/stem.*``."""
        ...


def engine_for(settings: OcrSettings) -> OcrEngine:
    """The configured engine (today Tesseract with the settings' language and time limit)."""
    return TesseractEngine(lang=settings.lang, timeout=settings.page_timeout)
