"""OCR results of benchmark scans kept on disk, so extraction can be re-measured without re-OCR.

Each scan's pages (``PageOcr`` without its PDF) are stored as JSON under ``.cache/ocr/`` (git
ignored), keyed by the SHA-256 of the scan and the OCR settings, so a changed scan or changed
OCR settings is OCR'd again. Only the documents stage is re-run from the cache.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from config.settings import Settings
from ocr.models import Box, Line, PageOcr, Word
from ocr.page import OCR_REVISION
from pipeline.executor import Executor
from pipeline.ocr_pages import ocr_pages

CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache" / "ocr"


def _key(path: Path, settings: Settings) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    conf = hashlib.sha256(
        settings.ocr.model_dump_json(exclude={"jobs", "review_confidence"}).encode() + OCR_REVISION.encode()
    ).hexdigest()[:12]
    return f"{digest[:32]}-{conf}"


def _page_from(data: dict[str, Any]) -> PageOcr:
    lines = [
        Line(
            ln["text"],
            ln["confidence"],
            Box(**ln["box"]),
            tuple(Word(w["text"], w["confidence"], Box(**w["box"]), w.get("handwritten", False))
                  for w in ln["words"]),
            ln.get("block", 0),
        )
        for ln in data.pop("lines")
    ]
    data.pop("pdf_path", None)
    return PageOcr(**data, lines=lines)


def _page_to(page: PageOcr) -> dict[str, Any]:
    data = asdict(page)
    data["pdf_path"] = None
    return data


def cached_pages(
    path: Path, settings: Settings, executor: Executor, cache: Path = CACHE_DIR
) -> list[PageOcr]:
    """The OCR'd pages of ``path``, from the cache when present."""
    cache.mkdir(parents=True, exist_ok=True)
    entry = cache / f"{_key(path, settings)}.json"
    if entry.is_file():
        return [_page_from(p) for p in json.loads(entry.read_text(encoding="utf-8"))]
    with tempfile.TemporaryDirectory(prefix="ocr-cache-") as wd:
        pages = ocr_pages(path, settings.ocr, executor, Path(wd))
    tmp = entry.with_suffix(".part")
    tmp.write_text(json.dumps([_page_to(p) for p in pages], ensure_ascii=False), encoding="utf-8")
    tmp.replace(entry)
    return pages
