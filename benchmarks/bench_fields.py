"""Field extraction accuracy of ``sohoa ocr`` on generated scans, against their truth files.

Prints exact-match field accuracy overall and per key (targets: ≥ 99 % overall, ≥ 99.5 % for
id_number and date_of_birth), classification and split accuracy, and the calibration of review:
the share of unflagged values that are wrong (target ≤ 0.5 %; a value extracted where the truth
has none, or a field missing without a missing-field warning, counts as an unflagged wrong one)
and the share of right values sent to review (target ≤ 10 %).

Two independently written layout families exist (``tests.datagen`` and
``tests.datagen.family2``); each file belongs to a seeded "tune" or "held" split, and ``--split``
reports them apart. ``--cached`` keeps each scan's OCR under ``.cache/ocr`` so that extraction
is re-measured without OCR (the figures are the same; only the OCR time is skipped).

    .venv/bin/python benchmarks/bench_fields.py --clean 6 --degraded 10 --hard 6 --jobs 2
    .venv/bin/python benchmarks/bench_fields.py --data DIR    # an existing generated set
    .venv/bin/python benchmarks/bench_fields.py --family1 42 --family2 56 --keep DIR --cached --split
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import load_settings
from pipeline.documents.extract import HANDWRITTEN
from pipeline.documents.models import DocumentResult, FileResult
from pipeline.executor import make_executor
from pipeline.process import build_result, process_file

ID_KEYS = ("id_number", "date_of_birth")


@dataclass
class Tally:
    fields: int = 0
    correct: int = 0
    wrong_flagged: int = 0  # wrong value (or missing) with needs_review / missing-field warning
    right_flagged: int = 0  # correct value sent to review anyway (clerk time)
    unflagged: int = 0  # values accepted without review, plus fields missing without a warning
    unflagged_wrong: int = 0  # of those, wrong, invented (no such value in truth) or silently missing
    per_key: Counter[str] = field(default_factory=Counter)
    per_key_ok: Counter[str] = field(default_factory=Counter)
    docs: int = 0
    class_ok: int = 0
    split_ok: int = 0
    files: int = 0
    pages: int = 0
    seconds: float = 0.0
    hand_tp: int = 0  # extracted values marked handwritten, of a document written by hand
    hand_fp: int = 0  # ... marked handwritten, of a typed document
    hand_fn: int = 0  # values of a handwritten document not marked
    errors: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # right values sent to review (-v)

    def add(self, other: Tally) -> None:
        for name in ("fields", "correct", "wrong_flagged", "right_flagged", "unflagged", "unflagged_wrong",
                     "docs", "class_ok",
                     "split_ok", "files", "pages", "seconds", "hand_tp", "hand_fp", "hand_fn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.per_key.update(other.per_key)
        self.per_key_ok.update(other.per_key_ok)
        self.errors.extend(other.errors)
        self.flagged.extend(other.flagged)


def _match(truth_pages: list[int], docs: list[DocumentResult]) -> DocumentResult | None:
    best, overlap = None, 0
    for doc in docs:
        n = len(set(doc.pages) & set(truth_pages))
        if n > overlap:
            best, overlap = doc, n
    return best


def score_file(result: FileResult, truth: dict, tally: Tally, verbose: bool) -> None:
    tally.files += 1
    tally.pages += result.pages
    for tdoc in truth["documents"]:
        tally.docs += 1
        doc = _match(tdoc["pages"], result.documents)
        if doc is not None and doc.doc_type == tdoc["doc_type"]:
            tally.class_ok += 1
        elif verbose:
            tally.errors.append(f"{truth['file']}: {tdoc['doc_type']} {tdoc['pages']} classified as "
                                f"{doc.doc_type if doc else None} {doc.pages if doc else ''}")
        if doc is not None and sorted(doc.pages) == sorted(tdoc["pages"]):
            tally.split_ok += 1
        same_type = doc is not None and doc.doc_type == tdoc["doc_type"]
        if doc is not None:
            hand_doc = bool(tdoc.get("handwritten"))
            for fv in doc.fields.values():
                marked = HANDWRITTEN in fv.warnings
                tally.hand_tp += marked and hand_doc
                tally.hand_fp += marked and not hand_doc
                tally.hand_fn += hand_doc and not marked
        if doc is not None:
            missing_warned = {k.strip() for w in doc.warnings if w.startswith("không tìm thấy")
                              for k in w.split(":", 1)[-1].split(",")}
            for key, fv in doc.fields.items():
                if fv.needs_review:
                    continue
                tally.unflagged += 1
                if not same_type or tdoc["fields"].get(key) != fv.value:
                    tally.unflagged_wrong += 1
                    if verbose and (not same_type or key not in tdoc["fields"]):
                        tally.errors.append(f"{truth['file']}: {doc.doc_type}.{key}: invented {fv.value!r}")
            for key in tdoc["fields"]:
                if (not same_type or key not in doc.fields) and key not in missing_warned \
                        and not (doc.needs_review and doc.doc_type == "other"):
                    tally.unflagged += 1
                    tally.unflagged_wrong += 1
        for key, want in tdoc["fields"].items():
            tk = f"{tdoc['doc_type']}.{key}"
            tally.fields += 1
            tally.per_key[tk] += 1
            fv = doc.fields.get(key) if doc is not None and doc.doc_type == tdoc["doc_type"] else None
            if fv is not None and fv.value == want:
                tally.correct += 1
                tally.per_key_ok[tk] += 1
                if fv.needs_review:
                    tally.right_flagged += 1
                    if verbose:
                        where = f"{truth['file']} ({truth.get('profile')})"
                        tally.flagged.append(f"{where}: {tk}: right but flagged {fv.value!r} "
                                             f"conf={fv.confidence} warnings={fv.warnings}")
            else:
                if fv is None or fv.needs_review:
                    tally.wrong_flagged += 1  # missing fields are reported as missing
                if verbose:
                    got = f"{fv.value!r} conf={fv.confidence} review={fv.needs_review}" if fv else "missing"
                    where = f"{truth['file']} ({truth.get('profile')})"
                    tally.errors.append(f"{where}: {tk}: want {want!r} got {got}")


HELD_SHARE = 0.3


def split_of(path: Path, truth: dict) -> str:
    """The file's split: family 2 records it; family 1 files are split by a seeded draw."""
    if "split" in truth:
        return str(truth["split"])
    draw = random.Random(f"split:{path.parent.name}:{path.name}").random()
    return "held" if draw < HELD_SHARE else "tune"


def run_set(
    files: list[Path], jobs: int, verbose: bool, cached: bool = False, only: str | None = None
) -> dict[str, Tally]:
    """Tallies per split ("tune", "held")."""
    settings = load_settings()
    executor = make_executor(jobs)
    tallies = {"tune": Tally(), "held": Tally()}
    try:
        for path in files:
            truth = json.loads(Path(f"{path}.truth.json").read_text(encoding="utf-8"))
            split = split_of(path, truth)
            if only is not None and split != only:
                continue
            tally = tallies[split]
            started = time.perf_counter()
            with tempfile.TemporaryDirectory(prefix="bench-fields-") as wd:
                try:
                    if cached:
                        from benchmarks.ocr_cache import cached_pages

                        result = build_result(path.name, cached_pages(path, settings, executor), settings)
                    else:
                        result = process_file(path, settings, executor, Path(wd))
                except Exception as exc:  # a failed file counts every field as wrong
                    tally.errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
                    result = FileResult(file=path.name, pages=len(truth.get("page_info", [])))
            tally.seconds += time.perf_counter() - started
            score_file(result, truth, tally, verbose)
    finally:
        executor.close()
    return tallies


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:6.2f}% ({n}/{d})" if d else "   n/a"


def report(name: str, t: Tally) -> None:
    wrong = t.fields - t.correct
    print(f"[{name}] files {t.files}, pages {t.pages}, {t.seconds:.1f} s "
          f"({60.0 * t.pages / t.seconds if t.seconds else 0:.1f} pages/min)")
    print(f"  field exact match     {pct(t.correct, t.fields)}   target ≥ 99%")
    for key in ID_KEYS:
        n = sum(v for k, v in t.per_key.items() if k.endswith("." + key) and k.count(".") == 1)
        ok = sum(v for k, v in t.per_key_ok.items() if k.endswith("." + key) and k.count(".") == 1)
        print(f"  {key:<21} {pct(ok, n)}   target ≥ 99.5%")
    print(f"  classification        {pct(t.class_ok, t.docs)}")
    print(f"  split                 {pct(t.split_ok, t.docs)}")
    print(f"  wrong values flagged  {pct(t.wrong_flagged, wrong)}   (sent to review or reported missing)")
    print(f"  right values flagged  {pct(t.right_flagged, t.correct)}   target ≤ 10% (review load)")
    print(f"  unflagged but wrong   {pct(t.unflagged_wrong, t.unflagged)}   target ≤ 0.5% "
          "(of values accepted without review, incl. invented and silently missing)")
    print(f"  handwriting marks     precision {pct(t.hand_tp, t.hand_tp + t.hand_fp)}, "
          f"recall {pct(t.hand_tp, t.hand_tp + t.hand_fn)}   (values of handwritten documents)")


def blank_ct01_values() -> tuple[int, int]:
    """(values extracted, of them unflagged) from the real blank CT01: both must be 0."""
    from ocr.models import PageOcr  # noqa: F401  (the cache rebuilds PageOcr objects)
    from tests.datagen.family2.ct01 import blank_path

    settings = load_settings()
    executor = make_executor(1)
    try:
        from benchmarks.ocr_cache import cached_pages

        result = build_result("CT01-blank.png", cached_pages(blank_path(), settings, executor), settings)
    finally:
        executor.close()
    values = [fv for d in result.documents for fv in d.fields.values()]
    return len(values), sum(1 for fv in values if not fv.needs_review)


def _listing(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.is_file() and not p.name.endswith((".json", ".part")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clean", type=int, default=4, help="clean files to generate")
    ap.add_argument("--degraded", type=int, default=8, help="degraded files to generate")
    ap.add_argument("--hard", type=int, default=4, help="hard files (5° skew, uneven light, faint toner)")
    ap.add_argument("--family1", type=int, default=0, help="family-1 files (mixed profile) instead")
    ap.add_argument("--family2", type=int, default=0, help="family-2 files (tests.datagen.family2)")
    ap.add_argument("--seed", default="bench-fields")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--data", type=Path, action="append", help="use existing generated set(s) instead")
    ap.add_argument("--keep", type=Path, help="write generated sets here (default: a temp dir)")
    ap.add_argument("--cached", action="store_true", help="keep/reuse each scan's OCR in .cache/ocr")
    ap.add_argument("--split", action="store_true", help="report the tune and held-back splits apart")
    ap.add_argument("--only", choices=("tune", "held"), help="score one split only")
    ap.add_argument("--blank-ct01", action="store_true", help="also OCR the real blank CT01")
    ap.add_argument("--per-key", action="store_true", help="print accuracy per document type and key")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="list every wrong value, and every right value sent to review")
    args = ap.parse_args(argv)

    sets: dict[str, list[Path]] = {}
    tmp = None
    if args.data:
        for d in args.data:
            sets[d.name] = _listing(d)
    else:
        from tests.datagen.generate import generate_set

        base = args.keep or Path(tmp := tempfile.mkdtemp(prefix="bench-fields-data-"))
        if args.family1 or args.family2:
            from tests.datagen.family2.generate import generate_set as generate_family2

            if args.family1:
                sets["family1"] = generate_set(base / "family1", args.family1, f"{args.seed}:f1", "mixed")
            if args.family2:
                sets["family2"] = generate_family2(base / "family2", args.family2, f"{args.seed}:f2")
        else:
            for profile in ("clean", "degraded", "hard"):
                count = getattr(args, profile)
                if count > 0:
                    sets[profile] = generate_set(base / profile, count, f"{args.seed}:{profile}", profile)
    total = Tally()
    for name, files in sets.items():
        tallies = run_set(files, args.jobs, args.verbose or args.per_key, args.cached, args.only)
        both = Tally()
        for split, t in tallies.items():
            both.add(t)
            if args.split and t.files:
                report(f"{name} {split}", t)
        if not args.split:
            report(name, both)
        total.add(both)
    if len(sets) > 1 and not args.split:
        report("all", total)
    if args.blank_ct01:
        n, unflagged = blank_ct01_values()
        print(f"[real blank CT01] values extracted {n}, unflagged {unflagged}   target 0")
    if args.per_key:
        print("\nper key:")
        for key in sorted(total.per_key):
            print(f"  {key:<45} {pct(total.per_key_ok[key], total.per_key[key])}")
    if args.verbose and total.errors:
        print("\nerrors:")
        for line in total.errors:
            print("  " + line)
    if args.verbose and total.flagged:
        print("\nright values sent to review:")
        for line in total.flagged:
            print("  " + line)
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
