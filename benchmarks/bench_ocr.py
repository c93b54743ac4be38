"""OCR benchmark: accuracy (CER) per profile, speed against OCRmyPDF, worker memory.

Run: ``.venv/bin/python -m benchmarks.bench_ocr [--pages 20] [--profiles clean,degraded,hard]
[--ablation] [--rss-pages 300] [--no-ocrmypdf]``. Figures are printed, never asserted.

- CER: rapidfuzz Levenshtein over whitespace-normalised text against the generator's truth,
  summed over pages (edits / truth characters), for sohoa, raw ``tesseract -l vie`` on the same
  decoded pages, and OCRmyPDF's sidecar text.
- Speed: pages per minute, sohoa on a 2-process pool vs ``ocrmypdf -l vie --rotate-pages --deskew
  -j 2 --output-type pdf --sidecar`` on image PDFs of the same scans, file by file, same process.
- Memory: one worker (a separate process running ``process_page`` page after page) on an A4
  300-dpi PDF, VmRSS at pages 10/100/300 and VmHWM (peak) from /proc.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import pikepdf
from PIL import Image

from config.settings import OcrSettings
from ocr.metrics import normalise_text
from ocr.preprocess.clean import CleanOptions
from ocr.source import open_scan
from ocr.threads import one_thread_per_process
from pipeline.executor import ProcessExecutor
from pipeline.ocr_pages import ocr_pages

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def edits(predicted: str, truth: str) -> tuple[int, int]:
    from rapidfuzz.distance import Levenshtein

    p, t = normalise_text(predicted), normalise_text(truth)
    return Levenshtein.distance(p, t), len(t)


def page_truths(scan: Path) -> list[str]:
    truth = json.loads(Path(f"{scan}.truth.json").read_text(encoding="utf-8"))
    pages = [""] * int(truth["pages"])
    for doc in truth["documents"]:
        texts = doc.get("page_texts") or [doc["text"]]
        for k, number in enumerate(doc["pages"]):
            if k < len(texts):
                pages[number - 1] = texts[k]
    return pages


def generate(out: Path, profile: str, count: int, seed: str) -> list[Path]:
    if not out.exists() or not any(out.glob("*.truth.json")):
        subprocess.run(
            [PY, "-m", "tests.datagen", "--out", str(out), "--count", str(count), "--seed", seed,
             "--profile", profile],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )
    return sorted(p for p in out.iterdir() if p.suffix.lower() in (".pdf", ".tif", ".tiff", ".jpg", ".png"))


@dataclasses.dataclass
class Score:
    edits: int = 0
    chars: int = 0
    pages: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds of this process and all its (waited) descendants
    skipped: int = 0  # pages OCRmyPDF gave up on (its Tesseract time limit)

    def add(self, predicted: str, truth: str) -> None:
        e, c = edits(predicted, truth)
        self.edits += e
        self.chars += c

    @property
    def cer(self) -> float:
        return self.edits / self.chars if self.chars else 0.0

    @property
    def ppm(self) -> float:
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_page(self) -> float:
        return self.cpu / self.pages if self.pages else 0.0


def cpu_seconds() -> float:
    """CPU time of this process plus every finished, waited-for descendant (workers, tesseract).

    Printed beside wall time because the benchmark machine is shared: wall time swings with
    other load, CPU time much less.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_sohoa(scans: list[Path], work: Path, options: CleanOptions | None = None) -> Score:
    score = Score()
    settings = OcrSettings(jobs=2)
    started, cpu_start = time.perf_counter(), cpu_seconds()
    # "fork": the workers are then this process's children, so their CPU time is counted
    # (forkserver workers belong to the server); the per-page work is the same.
    with ProcessExecutor(2, start_method="fork") as pool:
        for scan in scans:
            pages = ocr_pages(scan, settings, pool, work / scan.name, options=options)
            truths = page_truths(scan)
            for page, truth in zip(pages, truths, strict=False):
                score.add(page.text, truth)
            score.pages += len(pages)
    score.seconds = time.perf_counter() - started
    score.cpu = cpu_seconds() - cpu_start  # the pool has exited: its CPU time is counted
    return score


def run_raw_tesseract(scans: list[Path], work: Path) -> Score:
    score = Score()
    settings = OcrSettings()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    work.mkdir(parents=True, exist_ok=True)
    for scan in scans:
        source = open_scan(scan, settings)
        truths = page_truths(scan)
        for index in range(source.page_count):
            page = source.load_page(index)
            png = work / "raw.png"
            pixels = page.pixels if page.pixels.ndim == 2 else cv2.cvtColor(page.pixels, cv2.COLOR_RGB2BGR)
            cv2.imwrite(str(png), pixels)
            text = subprocess.run(
                ["tesseract", str(png), "-", "-l", "vie", "--dpi", str(round(page.dpi))],
                capture_output=True, text=True, env=env, check=True,
            ).stdout
            score.add(text, truths[index])
            score.pages += 1
        source.close()
    return score


def as_image_pdf(scan: Path, out: Path) -> Path:
    """OCRmyPDF is given image PDFs: PDFs as they are, images wrapped one image per page."""
    if scan.suffix.lower() == ".pdf":
        return scan
    source = open_scan(scan, OcrSettings())
    frames = []
    for index in range(source.page_count):
        page = source.load_page(index)
        frames.append((Image.fromarray(page.pixels), page.dpi))
    out.parent.mkdir(parents=True, exist_ok=True)
    first = frames[0][0]
    first.save(out, save_all=True, append_images=[f for f, _ in frames[1:]], resolution=frames[0][1])
    return out


def run_ocrmypdf(scans: list[Path], work: Path, tesseract_timeout: float = 180.0) -> Score | None:
    exe = shutil.which("ocrmypdf") or str(Path(PY).with_name("ocrmypdf"))
    if not Path(exe).exists():
        return None
    score = Score()
    work.mkdir(parents=True, exist_ok=True)
    inputs = [(as_image_pdf(s, work / "in" / f"{s.name}.pdf"), s) for s in scans]
    started, cpu_start = time.perf_counter(), cpu_seconds()
    for pdf, scan in inputs:
        sidecar = work / f"{scan.name}.txt"
        subprocess.run(
            [exe, "-l", "vie", "--rotate-pages", "--deskew", "-j", "2", "--output-type", "pdf",
             "--tesseract-timeout", str(round(tesseract_timeout)),
             "--sidecar", str(sidecar), "-q", str(pdf), str(work / f"{scan.name}.out.pdf")],
            check=True, capture_output=True,
        )
        texts = sidecar.read_text(encoding="utf-8").split("\f")
        score.skipped += sum(1 for t in texts if t.strip() == "[skipped page]")
        truths = page_truths(scan)
        for index, truth in enumerate(truths):
            score.add(texts[index] if index < len(texts) else "", truth)
        score.pages += len(truths)
    score.seconds = time.perf_counter() - started
    score.cpu = cpu_seconds() - cpu_start
    return score


# ---------------------------------------------------------------------------------- memory


def rss_mib() -> tuple[float, float]:
    """(current VmRSS, peak VmHWM) of this process in MiB, from /proc."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0]) / 1024.0
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def long_pdf(page_scan: Path, pages: int, out: Path) -> Path:
    """A ``pages``-page PDF repeating one A4 300-dpi scanned page (one shared image object)."""
    with pikepdf.open(page_scan) as src, pikepdf.new() as pdf:
        for _ in range(pages):
            pdf.pages.append(src.pages[0])
        pdf.save(out)
    return out


def rss_worker(path: Path, pages: int, work: Path) -> None:
    """Body of the measured worker: pages one after the other, as a pool worker runs them."""
    from ocr.page import process_page

    settings = OcrSettings()
    marks = {1, 10, 100, 300, pages} | set(range(25, pages + 1, 25))
    for index in range(pages):
        page = process_page(path, index, settings, work)
        if page.pdf_path:
            page.pdf_path.unlink(missing_ok=True)
        if index + 1 in marks:
            rss, hwm = rss_mib()
            mark = {"page": index + 1, "rss_mib": round(rss, 1), "peak_mib": round(hwm, 1)}
            print(json.dumps(mark), flush=True)


def measure_rss(sample_pdf: Path, pages: int, work: Path) -> None:
    big = long_pdf(sample_pdf, pages, work / "long.pdf")
    print(f"\n== Memory: one worker, {pages}-page A4 300 dpi PDF ({big.stat().st_size / 1e6:.1f} MB)")
    proc = subprocess.Popen(
        [PY, "-m", "benchmarks.bench_ocr", "--rss-worker", str(big), "--rss-pages", str(pages),
         "--work", str(work / "rss")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        mark = json.loads(line)
        print(f"  page {mark['page']:>4}: RSS {mark['rss_mib']:7.1f} MiB   peak {mark['peak_mib']:7.1f} MiB")
    proc.wait()


def a4_300dpi_sample(work: Path) -> Path:
    """One degraded A4 page rasterised at 300 dpi, wrapped as an image PDF."""
    from tests.ocr.render import LINES, add_noise, render_page

    grey, _ = render_page(LINES, dpi=300, font_pt=12)
    path = work / "a4-300.pdf"
    Image.fromarray(add_noise(grey, 8)).save(path, resolution=300)
    return path


# ------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_ocr", description=__doc__)
    parser.add_argument("--pages", type=int, default=20, help="files per profile")
    parser.add_argument("--profiles", default="clean,degraded,hard")
    parser.add_argument("--seed", default="bench-ocr")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--no-ocrmypdf", action="store_true")
    parser.add_argument(
        "--ocrmypdf-timeout", type=float, default=180.0,
        help="OCRmyPDF's --tesseract-timeout (raise it on a loaded machine, or pages are skipped)",
    )
    parser.add_argument("--ablation", action="store_true", help="CER with each cleaning step off")
    parser.add_argument("--rss-pages", type=int, default=300, help="0 to skip the memory run")
    parser.add_argument("--rss-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # The page pools below fork this process. Once OpenCV has run its thread pool here (the raw
    # Tesseract baseline converts pages), a forked child inherits that pool's lock held and
    # hangs in its first OpenCV call: the second profile's run never ended. One thread here.
    one_thread_per_process()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.rss_worker:
        rss_worker(args.rss_worker, args.rss_pages, work)
        return 0
    print(f"work dir: {work}")
    totals = {"sohoa": Score(), "ocrmypdf": Score()}
    for profile in [p.strip() for p in args.profiles.split(",") if p.strip()]:
        scans = generate(work / "data" / profile, profile, args.pages, f"{args.seed}-{profile}")
        sohoa = run_sohoa(scans, work / "sohoa" / profile)
        raw = run_raw_tesseract(scans, work / "raw" / profile)
        print(f"\n== {profile}: {len(scans)} files, {sohoa.pages} pages")
        print(
            f"  sohoa        CER {sohoa.cer:7.2%}   {sohoa.ppm:6.1f} pages/min ({sohoa.seconds:.0f} s, "
            f"{sohoa.cpu_per_page:.2f} CPU s/page)"
        )
        print(f"  raw tesseract CER {raw.cer:7.2%}")
        totals["sohoa"].pages += sohoa.pages
        totals["sohoa"].seconds += sohoa.seconds
        totals["sohoa"].edits += sohoa.edits
        totals["sohoa"].chars += sohoa.chars
        totals["sohoa"].cpu += sohoa.cpu
        if not args.no_ocrmypdf:
            other = run_ocrmypdf(scans, work / "ocrmypdf" / profile, args.ocrmypdf_timeout)
            if other is None:
                print("  ocrmypdf not installed: skipped")
            else:
                print(
                    f"  ocrmypdf     CER {other.cer:7.2%}   {other.ppm:6.1f} pages/min "
                    f"({other.seconds:.0f} s, {other.cpu_per_page:.2f} CPU s/page)"
                )
                if other.skipped:
                    print(f"  !! ocrmypdf skipped {other.skipped} page(s) on its time limit: not comparable")
                print(
                    f"  speed ratio sohoa/ocrmypdf: {sohoa.ppm / other.ppm:.2f}x wall, "
                    f"{other.cpu_per_page / sohoa.cpu_per_page:.2f}x CPU"
                )
                for key in ("pages", "seconds", "edits", "chars", "cpu"):
                    setattr(totals["ocrmypdf"], key, getattr(totals["ocrmypdf"], key) + getattr(other, key))
        if args.ablation:
            print("  ablation (one step toggled from the default: CER, CPU s/page):")
            default = CleanOptions()
            for opt in dataclasses.fields(CleanOptions):
                step = opt.name
                on = not getattr(default, step)
                toggled = run_sohoa(
                    scans, work / "ablation" / profile / step, dataclasses.replace(default, **{step: on})
                )
                sign = "+" if on else "-"
                print(f"    {sign}{step:<13} CER {toggled.cer:7.2%}   {toggled.cpu_per_page:.2f} CPU s/page")
    s, o = totals["sohoa"], totals["ocrmypdf"]
    if o.pages:
        print(
            f"\n== overall: sohoa {s.ppm:.1f} pages/min, {s.cpu_per_page:.2f} CPU s/page, CER {s.cer:.2%}; "
            f"ocrmypdf {o.ppm:.1f} pages/min, {o.cpu_per_page:.2f} CPU s/page, CER {o.cer:.2%}; "
            f"ratio {s.ppm / o.ppm:.2f}x wall, {o.cpu_per_page / s.cpu_per_page:.2f}x CPU"
        )
    if args.rss_pages:
        measure_rss(a4_300dpi_sample(work), args.rss_pages, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
