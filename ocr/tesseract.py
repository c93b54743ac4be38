"""One Tesseract run per page giving both the words (TSV) and a text-only PDF layer.

The CLI is called directly (not pytesseract's wrappers) so one process yields both outputs and
can be killed on the page time limit. ``OMP_THREAD_LIMIT=1``: parallelism comes from running one
page per core, and Tesseract's own threads would only fight over the same cores.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ocr.models import Box, Line, Word

TESSERACT = "tesseract"
READ_LINES_LANG = "eng"


@dataclass
class OcrResult:
    lines: list[Line] = field(default_factory=list)
    pdf_path: Path | None = None  # text-only PDF (invisible text), page size = image / dpi
    timed_out: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float:
        words = [w.confidence for line in self.lines for w in line.words]
        return float(sum(words) / len(words)) if words else 0.0


def run_tesseract(
    grey: np.ndarray,
    dpi: float,
    workdir: Path,
    stem: str,
    lang: str = "vie",
    timeout: float = 180.0,
    psm: int = 3,
) -> OcrResult:
    """OCR ``grey``; the text-only PDF is written to ``workdir/stem.pdf``."""
    workdir.mkdir(parents=True, exist_ok=True)
    image_path = workdir / f"{stem}.ocr.pgm"
    # Uncompressed PGM: Tesseract must see exactly the cleaned pixels, and the file lives for one
    # run in the page's work dir; even PNG at level 1 cost ~40 ms of CPU per A4 page to write.
    cv2.imwrite(str(image_path), grey)
    out_base = workdir / stem
    cmd = [
        TESSERACT, str(image_path), str(out_base), "-l", lang, "--psm", str(psm), "--dpi", str(round(dpi)),
        "-c", "textonly_pdf=1", "-c", "tessedit_create_pdf=1", "-c", "tessedit_create_tsv=1",
    ]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        for suffix in (".pdf", ".tsv"):
            (workdir / f"{stem}{suffix}").unlink(missing_ok=True)
        return OcrResult(timed_out=True)
    finally:
        image_path.unlink(missing_ok=True)
    tsv_path = workdir / f"{stem}.tsv"
    lines = drop_noise_lines(parse_tsv(tsv_path.read_text(encoding="utf-8")))
    tsv_path.unlink(missing_ok=True)
    pdf_path = workdir / f"{stem}.pdf"
    return OcrResult(lines=lines, pdf_path=pdf_path if pdf_path.exists() else None)


DATE_WITH_BAD_SLASH = re.compile(r"(\d{1,2})[/Il|](\d{1,2})[/Il|](\d{4})([.,;:]?)")


def fix_date_separators(word: str) -> str:
    """``05/08I1974`` → ``05/08/1974``: in small print Tesseract often reads a slash as I or l."""
    match = DATE_WITH_BAD_SLASH.fullmatch(word)
    if not match:
        return word
    day, month, year, tail = match.groups()
    return f"{day}/{month}/{year}{tail}"


def parse_tsv(tsv: str) -> list[Line]:
    """Tesseract TSV to ``Line``s in Tesseract's reading order (block, paragraph, line)."""
    order: list[tuple[int, int, int]] = []
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    reader = csv.reader(tsv.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if len(row) < 12 or row[0] != "5":
            continue
        text = fix_date_separators(unicodedata.normalize("NFC", row[11]).strip())
        conf = float(row[10])
        if not text or conf < 0:
            continue
        key = (int(row[2]), int(row[3]), int(row[4]))
        box = Box(int(row[6]), int(row[7]), int(row[8]), int(row[9]))
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append(Word(text, conf / 100.0, box))
    lines = []
    for key in order:
        words = tuple(grouped[key])
        left = min(w.box.left for w in words)
        top = min(w.box.top for w in words)
        right = max(w.box.left + w.box.width for w in words)
        bottom = max(w.box.top + w.box.height for w in words)
        lines.append(
            Line(
                text=" ".join(w.text for w in words),
                confidence=sum(w.confidence for w in words) / len(words),
                box=Box(left, top, right - left, bottom - top),
                words=words,
                block=key[0],
            )
        )
    return lines


NOISE_CONFIDENCE = 0.40


def drop_noise_lines(lines: list[Line]) -> list[Line]:
    """Drop what Tesseract reads into signatures, stamps and dust: lines whose every word is
    unsure and that are either much taller than the page's text lines (a scribble) or at most
    three characters long. Long low-confidence lines (an MRZ) are kept."""
    if not lines:
        return lines
    heights = sorted(line.box.height for line in lines)
    typical = heights[len(heights) // 2]

    def noise(line: Line) -> bool:
        if any(w.confidence >= NOISE_CONFIDENCE for w in line.words):
            return False
        return line.box.height > 1.8 * typical or len(line.text.replace(" ", "")) <= 3

    return [line for line in lines if not noise(line)]


def read_line_crops(
    crops: Sequence[np.ndarray],
    dpi: float,
    workdir: Path,
    stem: str,
    charset: str,
    lang: str = "eng",
    timeout: float = 30.0,
) -> list[tuple[str, float] | None]:
    """Each crop read as one line of text (psm 7) restricted to ``charset``, in one Tesseract
    process (a list file of images: one start-up, ~0.13 s of CPU, for all of a page's crops).

    Returns (text, confidence 0..1 of its weakest word) per crop, None where nothing was read.
    """
    if not crops:
        return []
    workdir.mkdir(parents=True, exist_ok=True)
    paths = [workdir / f"{stem}.crop{i:03d}.pgm" for i in range(len(crops))]
    for path, crop in zip(paths, crops, strict=True):
        cv2.imwrite(str(path), crop)
    listing = workdir / f"{stem}.crops.txt"
    listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    out_base = workdir / f"{stem}.crops"
    cmd = [
        TESSERACT, str(listing), str(out_base), "-l", lang, "--psm", "7", "--dpi", str(round(dpi)),
        "-c", f"tessedit_char_whitelist={charset}", "-c", "tessedit_create_tsv=1",
    ]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    tsv_path = workdir / f"{stem}.crops.tsv"
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, env=env)
        tsv = tsv_path.read_text(encoding="utf-8")
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError, OSError):
        return [None] * len(crops)
    finally:
        for path in (*paths, listing, tsv_path, workdir / f"{stem}.crops.txt.txt"):
            path.unlink(missing_ok=True)
    words: dict[int, list[tuple[str, float]]] = {}
    for row in csv.reader(tsv.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) < 12 or row[0] != "5" or not row[11].strip() or float(row[10]) < 0:
            continue
        words.setdefault(int(row[1]) - 1, []).append((row[11].strip(), float(row[10]) / 100.0))
    out: list[tuple[str, float] | None] = []
    for i in range(len(crops)):
        found = words.get(i)
        out.append((" ".join(t for t, _ in found), min(c for _, c in found)) if found else None)
    return out


@dataclass(frozen=True)
class TesseractEngine:
    """Tesseract behind the ``ocr.engine.OcrEngine`` interface."""

    lang: str = "vie"
    timeout: float = 180.0
    psm: int = 3
    name: str = "tesseract"

    def recognise(self, grey: np.ndarray, dpi: float, workdir: Path, stem: str) -> OcrResult:
        return run_tesseract(grey, dpi, workdir, stem, lang=self.lang, timeout=self.timeout, psm=self.psm)

    def read_lines(
        self, crops: Sequence[np.ndarray], dpi: float, workdir: Path, stem: str, charset: str
    ) -> list[tuple[str, float] | None]:
        # The English model: with the same whitelist the Vietnamese one still reads most
        # slashes of a small date as ones (measured on generated scans, "04/0711950").
        return read_line_crops(crops, dpi, workdir, stem, charset, lang=READ_LINES_LANG)
