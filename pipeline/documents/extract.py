"""Field extraction for one document: labels → raw values → normalised, validated FieldValues."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.documents.doctypes import DocTypeSpec, FieldSpec
from pipeline.documents.folding import fold
from pipeline.documents.labels import LabelHit, LabelPattern, find_label_hits, label_patterns, value_after
from pipeline.documents.lines import TextLine, wraps_into_next
from pipeline.documents.models import FieldValue
from pipeline.documents.normalize import clean_text
from pipeline.documents.values import Parsed, parse_value


@dataclass(frozen=True)
class Candidate:
    key: str
    raw: str
    line: int  # index into the document's lines
    ocr_confidence: float  # mean word confidence of the value
    label_score: float
    next_line: bool
    min_confidence: float = 1.0  # weakest word of the value


def spec_patterns(spec: DocTypeSpec) -> tuple[LabelPattern, ...]:
    out: list[LabelPattern] = []
    for fs in spec.fields:
        for label in fs.labels:
            out.extend(label_patterns(fs.key, label))
    return tuple(out)


def line_hits(lines: Sequence[TextLine], spec: DocTypeSpec) -> list[list[LabelHit]]:
    patterns = spec_patterns(spec)
    return [find_label_hits(line.text, patterns) for line in lines]


_WRAPPING_KINDS = {"text", "address", "name", "procedure"}


@dataclass
class _Value:
    """Raw text of one value as it is being assembled across lines."""

    raw: str
    conf: float
    weakest: float
    last: int  # index of the line the value ends on; -1 when another label follows it there
    next_line: bool = False


def _value_below(lines: Sequence[TextLine], hits: list[list[LabelHit]], i: int, value: _Value) -> _Value:
    """A label alone at the end of its line: the value is printed on the line below."""
    line, below, below_hits = lines[i], lines[i + 1], hits[i + 1]
    end = below_hits[0].start if below_hits else len(below.text)
    if end <= 0 or below.page != line.page:
        return value
    return _Value(below.text[:end], below.confidence_of(0, end), below.min_confidence_of(0, end),
                  i + 1 if not below_hits else -1, next_line=True)


def _wrapped(
    lines: Sequence[TextLine], hits: list[list[LabelHit]], wraps: list[bool], value: _Value
) -> _Value:
    """A long value continues on following lines that carry no label, while lines wrap."""
    parts, confs, weakest, last = [value.raw], [value.conf], value.weakest, value.last
    while wraps[last] and last + 1 < len(lines) and not hits[last + 1]:
        last += 1
        parts.append(lines[last].text)
        confs.append(lines[last].confidence)
        weakest = min(weakest, lines[last].min_confidence_of(0, len(lines[last].text)))
    return _Value(" ".join(parts), sum(confs) / len(confs), weakest, last, value.next_line)


def _section_key(spec: DocTypeSpec, key: str, state: list[int], seen: set[str]) -> str:
    """``husband_``/``wife_`` prefix of a sectioned field; ``state[0]`` is the open section."""
    if state[0] < 0:
        state[0] = 0
    elif key in seen and state[0] + 1 < len(spec.sections):
        state[0] += 1  # without a readable heading, a repeated label opens the next section
        seen.clear()
    seen.add(key)
    return spec.sections[state[0]][0] + key


def find_candidates(
    lines: Sequence[TextLine], spec: DocTypeSpec, hits: list[list[LabelHit]] | None = None
) -> dict[str, list[Candidate]]:
    """Every place a field's label occurs, with the text that follows it."""
    hits = hits if hits is not None else line_hits(lines, spec)
    kinds = {fs.key: fs.kind for fs in spec.fields}
    sectioned = {fs.key for fs in spec.fields if fs.sectioned}
    wraps = wraps_into_next(lines)
    out: dict[str, list[Candidate]] = {}
    section = [-1]
    seen: set[str] = set()
    for i, (line, line_hits_) in enumerate(zip(lines, hits, strict=True)):
        heading = section_of(line.text, spec)
        if heading is not None and not line_hits_:
            section[0] = heading
            seen.clear()
        for j, hit in enumerate(line_hits_):
            if hit.key.startswith("_"):
                continue
            key = _section_key(spec, hit.key, section, seen) if hit.key in sectioned else hit.key
            nxt = line_hits_[j + 1].start if j + 1 < len(line_hits_) else None
            raw, offset = value_after(line.text, hit, nxt)
            end = offset + len(raw)
            value = _Value(raw, line.confidence_of(offset, end), line.min_confidence_of(offset, end),
                           i if nxt is None else -1)
            if not clean_text(raw) and nxt is None and i + 1 < len(lines):
                value = _value_below(lines, hits, i, value)
            if kinds.get(hit.key) in _WRAPPING_KINDS and value.last >= 0 and not raw.rstrip().endswith("."):
                value = _wrapped(lines, hits, wraps, value)
            out.setdefault(key, []).append(
                Candidate(key, value.raw, i, value.conf, hit.score, value.next_line, value.weakest)
            )
    return out


def section_of(text: str, spec: DocTypeSpec) -> int | None:
    """Index of the section whose heading this line is, if any."""
    if not spec.sections:
        return None
    folded = fold(text)
    if not folded:
        return None
    best, best_score = None, 0.0
    for index, (_, headings) in enumerate(spec.sections):
        for heading in headings:
            target = fold(heading)
            score = fuzz.ratio(folded, target) / 100.0
            if len(target) <= 5:
                score = 1.0 if folded == target else 0.0
            if score > best_score:
                best, best_score = index, score
    return best if best_score >= 0.85 else None


def ocr_confidence(mean: float, weakest: float) -> float:
    """Tesseract's word confidences crowd into 0.85–0.97 whether a word is right or not; the
    weakest word counts as much as the mean, and the scale is stretched so that a value with a
    doubtful word falls under the review threshold."""
    blended = 0.5 * mean + 0.5 * weakest
    return max(0.0, 1.0 - STRETCH * (1.0 - blended))


STRETCH = 2.0  # measured on the benchmark: flags most wrong values for ~15 % of right ones


CLOSED_KINDS = {"sex", "ethnicity", "nationality"}


def _confidence(cand: Candidate, parsed: Parsed, kind: str) -> float:
    conf = ocr_confidence(cand.ocr_confidence, cand.min_confidence) * (0.85 + 0.15 * cand.label_score)
    if cand.next_line:
        conf *= 0.98
    if parsed.structured:
        conf = min(0.995, conf + 0.05)
        if kind in CLOSED_KINDS:
            # One of a handful of known words: a misread would rarely land on another one.
            conf = max(conf, 0.9)
    if parsed.warnings:
        conf = min(conf, 0.5)
    return round(max(0.0, min(1.0, conf)), 3)


def extract_field(fs: FieldSpec, candidates: Sequence[Candidate]) -> FieldValue | None:
    """The first candidate that parses cleanly wins; otherwise the first readable one."""
    fallback: FieldValue | None = None
    for cand in candidates:
        parsed = parse_value(fs.kind, cand.raw)
        if parsed.value is None:
            continue
        fv = FieldValue(
            value=parsed.value,
            confidence=_confidence(cand, parsed, fs.kind),
            warnings=list(parsed.warnings),
        )
        if not parsed.warnings:
            return fv
        if fallback is None:
            fallback = fv
    return fallback


UNLABELLED_CONFIDENCE = 0.7  # below the review threshold: a clerk confirms it


def unlabelled_ids(lines: Sequence[TextLine], hits: list[list[LabelHit]]) -> list[str]:
    """12-digit numbers standing alone on a line whose label OCR could not read."""
    out: list[str] = []
    for line, line_hits_ in zip(lines, hits, strict=True):
        if line_hits_:
            continue
        parsed = parse_value("id12", line.text)
        if parsed.structured and parsed.value and len(clean_text(line.text)) <= 16:
            out.append(parsed.value)
    return out


def extract_fields(lines: Sequence[TextLine], spec: DocTypeSpec) -> dict[str, FieldValue]:
    hits = line_hits(lines, spec)
    candidates = find_candidates(lines, spec, hits)
    fields: dict[str, FieldValue] = {}
    for key, fs in spec.output_keys():
        fv = extract_field(fs, candidates.get(key, []))
        if fv is not None:
            fields[key] = fv
    missing = [key for key, fs in spec.output_keys() if fs.kind == "id12" and key not in fields]
    if len(missing) == 1:
        # The one id field whose label was unreadable, and one bare 12-digit number: that is it.
        used = {fv.value for fv in fields.values()}
        loose = [v for v in unlabelled_ids(lines, hits) if v not in used]
        if len(set(loose)) == 1:
            fields[missing[0]] = FieldValue(
                value=loose[0], confidence=UNLABELLED_CONFIDENCE,
                warnings=["không đọc được nhãn, số nhận theo dạng 12 chữ số "
                          "(label unreadable; value recognised by its 12-digit shape)"],
            )
    return fields
