"""The OCR-engine interface: what the pipeline needs of any engine, Tesseract being one.

Pages reach an engine as a cleaned grey image and its resolution; the engine answers with
lines of words in that image's pixels and, when it can, a text-only PDF layer for the
searchable copy; and it reads cut-out lines again limited to a few characters.
``ocr.tesseract.TesseractEngine`` implements it; ``ocr.textlayer`` reads a
born-digital PDF's own text instead, for the same page.
"""

from __future__ import annotations

from collections.abc import Sequence
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

    def read_lines(
        self, crops: Sequence[np.ndarray], dpi: float, workdir: Path, stem: str, charset: str
    ) -> list[tuple[str, float] | None]:
        """Each crop read again as one line of text limited to ``charset`` (a second reading
        of a value whose characters are known, ``ocr.dates``): (text, confidence 0..1) per
        crop, None where nothing was read."""
        ...


def engine_for(settings: OcrSettings) -> OcrEngine:
    """The configured engine (today Tesseract with the settings' language and time limit)."""
    return TesseractEngine(lang=settings.lang, timeout=settings.page_timeout)
