"""Field extraction for one document: labels → raw values → normalised, validated FieldValues."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.documents.doctypes import DocTypeSpec, FieldSpec
from pipeline.documents.folding import fold
from pipeline.documents.labels import (
    NEXT_ITEM,
    LabelHit,
    LabelPattern,
    find_label_hits,
    label_patterns,
    value_after,
)
from pipeline.documents.lines import TextLine, wraps_into_next
from pipeline.documents.models import FieldValue
from pipeline.documents.names import is_family_name
from pipeline.documents.normalize import clean_text
from pipeline.documents.validate import id_birth_year
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
    words: tuple[tuple[str, float], ...] = ()  # the OCR words of the raw value, with confidences
    handwritten: bool = False  # a word of the raw value looks written by hand
    beside: bool = False  # part of the value was taken from beside another field's label


def spec_patterns(spec: DocTypeSpec) -> tuple[LabelPattern, ...]:
    out: list[LabelPattern] = []
    for fs in spec.fields:
        for label in fs.labels:
            out.extend(label_patterns(fs.key, label))
    return tuple(out)


def line_hits(lines: Sequence[TextLine], spec: DocTypeSpec) -> list[list[LabelHit]]:
    patterns = spec_patterns(spec)
    numeric = frozenset(fs.key for fs in spec.fields if fs.kind == "id12")
    return [find_label_hits(line.text, patterns, numeric) for line in lines]


_WRAPPING_KINDS = {"text", "address", "name", "procedure"}


@dataclass
class _Value:
    """Raw text of one value as it is being assembled across lines."""

    raw: str
    conf: float
    weakest: float
    last: int  # index of the line the value ends on; -1 when another label follows it there
    next_line: bool = False
    words: tuple[tuple[str, float], ...] = ()
    hand: bool = False
    beside: bool = False


_ITEM_START = re.compile(r"\s*(?:\d{1,2}|[IVX]{1,4}|[a-zđ])[.)]\s")  # "3. Tài sản …": a new item
_LEADER_TAIL = re.compile(r"[.…_·]{3,}$")


def span_words(line: TextLine, start: int, end: int) -> tuple[tuple[str, float], ...]:
    """The words of ``line`` inside ``[start, end)`` with their confidences.

    A value typed on a dotted fill-in line often comes back glued to the dots
    ("THẮNG........"); Tesseract's confidence of that word is mostly its doubt about the dots,
    so such a word counts with the confidence of the rest of the line instead. A word whose
    letters and digits all lie outside the span is not the value's: the label's last word
    glued to a mark before the value ("trủ' SỐ 194, …") is the label's doubt.
    """
    out: list[tuple[str, float]] = []
    for s, e, _ in line.words:
        if not (s < end and e > start):
            continue
        if not any(ch.isalnum() for ch in line.text[max(s, start) : min(e, end)]):
            continue
        text, conf = line.text[s:e], line.confidence_of(s, e)
        if _LEADER_TAIL.search(text) and len(_LEADER_TAIL.sub("", text)) >= 1:
            others = [line.confidence_of(a, b) for a, b, _ in line.words if (a, b) != (s, e)]
            if others:
                conf = max(conf, min(sum(others) / len(others), 0.97))
        out.append((text, conf))
    return tuple(out)


_LEADER = re.compile(r"(?:\s*[.…_]){3,}")
DEBRIS_CONFIDENCE = 0.5


def _before_leader_debris(line: TextLine, offset: int, raw: str) -> str | None:
    """A value typed on a dotted fill-in line ends where the dots begin when all that follows
    them is debris Tesseract itself doubts ("Đà Nẵng... ` neo", the dots' tail read as letters
    at 0.16-0.25): the raw value up to the dots, or None to keep it whole."""
    m = _LEADER.search(raw)
    if m is None or not clean_text(raw[: m.start()]):
        return None
    tail = [(s, e, c) for s, e, c in line.words
            if s >= offset + m.end() and e <= offset + len(raw)
            and any(ch.isalnum() for ch in line.text[s:e])]
    if not tail or any(c >= DEBRIS_CONFIDENCE for _, _, c in tail):
        return None
    return raw[: m.start()]


def _value_below(lines: Sequence[TextLine], hits: list[list[LabelHit]], i: int, value: _Value) -> _Value:
    """A label alone at the end of its line: the value is printed on the line below."""
    line, below, below_hits = lines[i], lines[i + 1], hits[i + 1]
    end = below_hits[0].start if below_hits else len(below.text)
    if end <= 0 or below.page != line.page:
        return value
    if below_hits and not NEXT_ITEM.sub("", below.text[:end]).strip(" .:;"):
        return value  # only the next item's number ("5.") stands before its label: no value
    return _Value(below.text[:end], below.confidence_of(0, end), below.min_confidence_of(0, end),
                  i + 1 if not below_hits else -1, next_line=True, words=span_words(below, 0, end),
                  hand=below.handwritten_in(0, end))


def _wrapped(
    lines: Sequence[TextLine], hits: list[list[LabelHit]], wraps: list[bool], value: _Value,
    address: bool = False,
) -> _Value:
    """A long value continues on following lines that carry no label, while lines wrap."""
    parts, confs, weakest, last = [value.raw], [value.conf], value.weakest, value.last
    words = list(value.words)
    hand = value.hand
    # An address broken after a comma goes on below even when its line stops short of the margin.
    while ((wraps[last] or parts[-1].rstrip().endswith(",")) and last + 1 < len(lines)
           and not hits[last + 1] and not _ITEM_START.match(lines[last + 1].text)
           and lines[last + 1].page == lines[last].page):
        last += 1
        parts.append(lines[last].text)
        confs.append(lines[last].confidence)
        weakest = min(weakest, lines[last].min_confidence_of(0, len(lines[last].text)))
        words.extend(span_words(lines[last], 0, len(lines[last].text)))
        hand = hand or lines[last].handwritten_in(0, len(lines[last].text))
    beside = False
    if address and parts[-1].rstrip().endswith(",") and last + 1 < len(lines) and hits[last + 1]:
        tail = _beside_label(lines[last], lines[last + 1], hits[last + 1])
        if tail is not None:
            start, end = tail
            nxt = lines[last + 1]
            parts.append(nxt.text[start:end])
            confs.append(nxt.confidence_of(start, end))
            weakest = min(weakest, nxt.min_confidence_of(start, end))
            words.extend(span_words(nxt, start, end))
            hand = hand or nxt.handwritten_in(start, end)
            beside = True
    return _Value(" ".join(parts), sum(confs) / len(confs), weakest, last, value.next_line, tuple(words),
                  hand, beside)


def _beside_label(line: TextLine, below: TextLine, below_hits: list[LabelHit]) -> tuple[int, int] | None:
    """Where an address broken after a comma goes on, on a line that also carries another
    field's label further left (a CCCD prints "Có giá trị đến: …" under the photo, and the
    address's second line beside it, so OCR reads one line): the span of that line's words
    from the address's left edge on, when no label lies there."""
    if line.left < 0 or not below.word_x or below.page != line.page:
        return None
    margin = line.left + max(line.height, 10)
    for (s, _e, _c), (_left, right) in zip(below.words, below.word_x, strict=False):
        if right > margin:
            if s < below_hits[-1].end:
                return None
            return s, len(below.text)
    return None


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
        if not line_hits_ and _headings_in(line.text, spec) >= 2:
            section[0] = -1  # "Thông tin người chồng   Thông tin người vợ": a column per section
            seen.clear()
        columns = _column_row(line, line_hits_, sectioned)
        for j, hit in enumerate(line_hits_):
            if hit.key.startswith("_"):
                continue
            nxt = line_hits_[j + 1].start if j + 1 < len(line_hits_) else None
            raw, offset = value_after(line.text, hit, nxt)
            if columns is not None and hit.key in sectioned:
                index = sum(1 for h in line_hits_[:j] if h.key == hit.key)
                if index < len(spec.sections):
                    key = spec.sections[index][0] + hit.key
                    glued = re.sub(r"\D", "", lines[i + 1].text) if i + 1 < len(lines) else ""
                    if (not clean_text(raw) and kinds.get(hit.key) == "id12" and not hits[i + 1]
                            and len(glued) == 12 * len(columns)):
                        # The ids of both columns OCR'd as one word: each column's 12 digits.
                        below = lines[i + 1]
                        value = _Value(glued[12 * index : 12 * index + 12], below.confidence,
                                       below.min_confidence_of(0, len(below.text)), -1, next_line=True,
                                       words=span_words(below, 0, len(below.text)),
                                       hand=below.handwritten_in(0, len(below.text)))
                    elif not clean_text(raw) and i + 1 < len(lines):
                        found = _column_below(lines, hits, i, columns, j)
                        if found is None:
                            continue
                        value = found
                    else:
                        end = offset + len(raw)
                        value = _Value(raw, line.confidence_of(offset, end),
                                       line.min_confidence_of(offset, end), -1,
                                       words=span_words(line, offset, end),
                                       hand=line.handwritten_in(offset, end))
                    out.setdefault(key, []).append(
                        Candidate(key, value.raw, i, value.conf, hit.score, value.next_line, value.weakest,
                                  value.words, value.hand)
                    )
                    continue
            if hit.key in sectioned:
                named = _section_in_label(spec, line.text, hit.start, nxt)
                if named is not None:  # "Họ, chữ đệm, tên người vợ: …" opens the wife's section
                    section[0], cut = named
                    seen.clear()
                    if cut > offset:
                        raw, offset = line.text[cut : len(line.text) if nxt is None else nxt], cut
                        raw = raw.lstrip(" :;.,")
                        offset = (nxt if nxt is not None else len(line.text)) - len(raw)
            key = _section_key(spec, hit.key, section, seen) if hit.key in sectioned else hit.key
            filled = (_before_leader_debris(line, offset, raw)
                      if kinds.get(hit.key) in _WRAPPING_KINDS else None)
            if filled is not None:
                raw = filled
            end = offset + len(raw)
            value = _Value(raw, line.confidence_of(offset, end), line.min_confidence_of(offset, end),
                           i if nxt is None and filled is None else -1, words=span_words(line, offset, end),
                           hand=line.handwritten_in(offset, end))
            if not clean_text(raw) and nxt is None and i + 1 < len(lines):
                value = _value_below(lines, hits, i, value)
            if kinds.get(hit.key) in _WRAPPING_KINDS and value.last >= 0 and not raw.rstrip().endswith("."):
                value = _wrapped(lines, hits, wraps, value, kinds.get(hit.key) == "address")
            out.setdefault(key, []).append(
                Candidate(key, value.raw, i, value.conf, hit.score, value.next_line, value.weakest,
                          value.words, value.hand, value.beside)
            )
    return out


def _headings_in(text: str, spec: DocTypeSpec) -> int:
    """How many sections' headings a line carries (two: the sections are printed side by side)."""
    folded = fold(text)
    found = 0
    for _, headings in spec.sections:
        if any(len(fold(h).split()) >= 2 and fold(h) in folded for h in headings):
            found += 1
    return found


def _column_row(line: TextLine, hits: list[LabelHit], sectioned: set[str]) -> list[int] | None:
    """Left pixel of each column when a row repeats a sectioned label (a column per spouse)."""
    if not line.word_x:
        return None
    keys = [h.key for h in hits if h.key in sectioned]
    if not any(keys.count(k) >= 2 for k in keys):
        return None
    return [line.x_at(h.start) for h in hits]


def _column_below(
    lines: Sequence[TextLine], hits: list[list[LabelHit]], i: int, columns: list[int], j: int
) -> _Value | None:
    """The value under label ``j`` of a column row: the words of the following label-free lines
    that start inside that column (an address set in a narrow column wraps within it)."""
    x0 = columns[j] - 60
    x1 = columns[j + 1] - 60 if j + 1 < len(columns) else 1 << 30
    parts: list[str] = []
    words: list[tuple[str, float]] = []
    hand = False
    for k in range(i + 1, min(i + 4, len(lines))):
        below = lines[k]
        if hits[k] or below.page != lines[i].page:
            break
        span = below.text_between(x0, x1)
        if span is None:
            break
        parts.append(below.text[span[0] : span[1]])
        words.extend(span_words(below, span[0], span[1]))
        hand = hand or below.handwritten_in(span[0], span[1])
    if not parts:
        return None
    confs = [c for _, c in words] or [0.5]
    return _Value(" ".join(parts), sum(confs) / len(confs), min(confs), -1, next_line=True,
                  words=tuple(words), hand=hand)


def _section_in_label(
    spec: DocTypeSpec, text: str, start: int, stop: int | None
) -> tuple[int, int] | None:
    """(section, offset after it) when a label names its section ("… tên người vợ: …")."""
    tokens = [(m.group(0), m.end()) for m in re.finditer(r"\S+", text[start : stop or len(text)])][:8]
    folded = [fold(t) for t, _ in tokens]
    for index, (_, headings) in enumerate(spec.sections):
        for heading in headings:
            target = fold(heading).split()
            if len(target) != 2:
                continue
            for k in range(1, len(tokens)):
                if folded[k - 1] == target[0] and folded[k] == target[1]:
                    return index, start + tokens[k][1]
    return None


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


CLOSED_KINDS = {"sex", "ethnicity", "nationality", "procedure"}  # structured: an entry of a closed list


_NUMERIC_VALUE_KINDS = {"id12", "digits", "phone", "enterprise", "date", "area", "book", "serial"}


def _digit_word(word: str) -> bool:
    """A word that is a number, or part of one: more digits than letters ("228,6", "07I2025";
    not the unit "m2")."""
    digits = sum(ch.isdigit() for ch in word)
    return digits > 0 and digits > sum(ch.isalpha() for ch in word)


def own_digit_words(words: Sequence[tuple[str, float]], value: str) -> list[float] | None:
    """Confidences of the consecutive words whose digits are the value's digits (in any order:
    a date is written d/m/y and kept as y-m-d), or None when no such run exists. What stands
    around the number is no doubt about it: a unit ("228,6 m2"), the next item's number
    ("24/03/1962 3. Giới tính"), a label's number ("4. Số ... 031083960158")."""
    want = sorted(re.sub(r"\D", "", value))
    if not want:
        return None
    for i, (word, _) in enumerate(words):
        if not _digit_word(word):
            continue
        got: list[str] = []
        for j in range(i, len(words)):
            if not _digit_word(words[j][0]):
                break
            got.extend(re.sub(r"\D", "", words[j][0]))
            if len(got) >= len(want):
                if sorted(got) == want:
                    return [c for _, c in words[i : j + 1]]
                break
    return None


def value_word_confidences(cand: Candidate, value: str, kind: str) -> list[float]:
    """Confidences of the OCR words that made it into the value: dotted leaders and debris
    cut off by parsing ("NGUYỄN VĂN AN ......" read as "rrrerrsee") are no doubt about it."""
    if kind in _NUMERIC_VALUE_KINDS:
        own = own_digit_words(cand.words, value)
        if own is not None:
            return own
        digits = set(re.sub(r"\D", "", value))
        return [c for w, c in cand.words if _digit_word(w)
                and set(re.sub(r"\D", "", w)) <= digits] or [c for w, c in cand.words
                                                            if any(ch.isdigit() for ch in w)]
    target = fold(value)
    family = fold(value.split()[0]) if kind == "name" and value.split() else None
    kept = []
    for word, c in cand.words:
        folded = fold(word)
        if folded and folded in target:
            if family is not None and folded == family and is_family_name(value.split()[0]):
                # The family name's letters matched one of a closed list and its marks were taken
                # from the list ("NGUYÊN" → "NGUYỄN"): Tesseract's doubt was about those marks.
                c = max(c, FAMILY_NAME_CONFIDENCE)
                family = None
            kept.append(c)
    return kept


FAMILY_NAME_CONFIDENCE = 0.95


def _confidence(cand: Candidate, parsed: Parsed, kind: str) -> float:
    mean, weakest = cand.ocr_confidence, cand.min_confidence
    kept = value_word_confidences(cand, parsed.value or "", kind) if cand.words else []
    if kept:
        mean, weakest = sum(kept) / len(kept), min(kept)
    conf = ocr_confidence(mean, weakest) * (0.85 + 0.15 * cand.label_score)
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


BESIDE_LABEL = ("địa chỉ nối tiếp trên dòng của trường khác, cần kiểm tra "
                "(address continued on another field's line, please check)")
HANDWRITTEN = "giá trị viết tay, cần kiểm tra (handwritten value, please check)"


def extract_field(fs: FieldSpec, candidates: Sequence[Candidate]) -> FieldValue | None:
    """The first candidate that parses cleanly wins; otherwise the first readable one."""
    fallback: FieldValue | None = None
    for cand in candidates:
        parsed = parse_value(fs.kind, cand.raw)
        if parsed.value is None:
            continue
        warnings = list(parsed.warnings)
        if cand.handwritten:
            warnings.append(HANDWRITTEN)
        if cand.beside:
            warnings.append(BESIDE_LABEL)
        fv = FieldValue(
            value=parsed.value,
            confidence=_confidence(cand, parsed, fs.kind),
            warnings=warnings,
        )
        if not parsed.warnings:
            return fv
        if fallback is None:
            fallback = fv
    return fallback


UNLABELLED_CONFIDENCE = 0.7  # below the review threshold when no word confidence is known
UNLABELLED_ID = ("không đọc được nhãn, số nhận theo dạng 12 chữ số "
                 "(label unreadable; value recognised by its 12-digit shape)")


_ID_WORDS = ("dinhdanh", "cmnd", "cccd", "cancuoc")  # an id label whose words OCR glued together


def _mostly_digits(word: str) -> bool:
    chars = [ch for ch in word if ch.isalnum()]
    digits = sum(ch.isdigit() for ch in chars)
    return digits > 0 and 2 * digits >= len(chars)


def unlabelled_ids(lines: Sequence[TextLine], hits: list[list[LabelHit]]) -> list[tuple[str, float]]:
    """12-digit numbers standing alone on a line whose label OCR could not read, or after a
    label read with its words run together ("Số định đanhcánhâaCMND. 031083960158"), with
    the OCR confidence of their digits."""
    out: list[tuple[str, float]] = []
    for line, line_hits_ in zip(lines, hits, strict=True):
        if line_hits_:
            continue
        compact = fold(line.text).replace(" ", "")
        if len(clean_text(line.text)) <= 16:
            parsed = parse_value("id12", line.text)
        elif any(w in compact for w in _ID_WORDS):
            whole = re.findall(r"(?<![\d\w])\d{12}(?![\d\w])", line.text)
            parsed = parse_value("id12", whole[0]) if len(whole) == 1 else parse_value("id12", "")
        else:
            continue
        if parsed.structured and parsed.value:
            # The id's own words: an item number glued to the label ("4.Số") is no doubt about it.
            words = span_words(line, 0, len(line.text))
            own = own_digit_words(words, parsed.value)
            confs = own if own is not None else [c for w, c in words if _mostly_digits(w)]
            conf = ocr_confidence(sum(confs) / len(confs), min(confs)) if confs else UNLABELLED_CONFIDENCE
            out.append((parsed.value, round(conf, 3)))
    return out


_SERIAL_LINE = re.compile(r"[A-Z]{2} ?\d{6}")


def unlabelled_serials(lines: Sequence[TextLine], hits: list[list[LabelHit]]) -> list[str]:
    """Lines that are nothing but a certificate serial ("CS 123456")."""
    out: list[str] = []
    for line, line_hits_ in zip(lines, hits, strict=True):
        text = clean_text(line.text)
        if not line_hits_ and _SERIAL_LINE.fullmatch(text):
            out.append(f"{text[:2]} {text[-6:]}")
    return out


def extract_fields(lines: Sequence[TextLine], spec: DocTypeSpec) -> dict[str, FieldValue]:
    hits = line_hits(lines, spec)
    candidates = find_candidates(lines, spec, hits)
    fields: dict[str, FieldValue] = {}
    for key, fs in spec.output_keys():
        fv = extract_field(fs, candidates.get(key, []))
        if fv is not None:
            fields[key] = fv
    serial_keys = [key for key, fs in spec.output_keys() if fs.kind == "serial" and key not in fields]
    if serial_keys:
        # The 2014 land certificate prints its serial alone under the title, with no label.
        taken = {f.value for f in fields.values()}
        loose_serials = {s for s in unlabelled_serials(lines, hits) if s not in taken}
        if len(loose_serials) == 1:
            fields[serial_keys[0]] = FieldValue(value=loose_serials.pop(), confidence=0.9)
    missing = [key for key, fs in spec.output_keys() if fs.kind == "id12" and key not in fields]
    if len(missing) == 1:
        # The one id field whose label was unreadable, and one bare 12-digit number: that is it.
        used = {fv.value for fv in fields.values()}
        loose = [(v, c) for v, c in unlabelled_ids(lines, hits) if v not in used]
        if len({v for v, _ in loose}) == 1:
            # Flagged; review lifts the flag only when the date of birth and sex it encodes
            # agree with the document's (review.corroborated_id), and its digits read clearly.
            fields[missing[0]] = FieldValue(
                value=loose[0][0], confidence=min(c for _, c in loose), warnings=[UNLABELLED_ID],
            )
    return fields


UNLABELLED_DOB = ("không đọc được nhãn ngày sinh, ngày lấy theo năm sinh trong số định danh, cần kiểm tra "
                  "(date-of-birth label unreadable; the one date in the id's birth year taken, please check)")
_DATE_RUN = re.compile(r"(?<!\d)\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}(?!\d)")


def unlabelled_birth_dates(
    lines: Sequence[TextLine], fields: dict[str, FieldValue], persons: Sequence[tuple[str, str]]
) -> dict[str, FieldValue]:
    """Dates of birth whose label OCR could not read ("Sow xi8 27/06/1990" for "2. Ngày, tháng,
    năm sinh: 27/06/1990"), for ``persons`` given as (id key, date-of-birth key): the one date
    on the document, used by no other field, in the year the person's id encodes (digits 4–6).
    Flagged: the id confirms the year only."""
    used = {fv.value for fv in fields.values()}
    dates: set[str] = set()
    for line in lines:
        for m in _DATE_RUN.finditer(line.text):
            parsed = parse_value("date", m.group(0))
            if parsed.structured and parsed.value and parsed.value not in used:
                dates.add(parsed.value)
    years: dict[str, int] = {}
    for id_key, dob_key in persons:
        ident = fields.get(id_key)
        if dob_key and dob_key not in fields and ident is not None:
            year = id_birth_year(ident.value)
            if year is not None:
                years[dob_key] = year
    out: dict[str, FieldValue] = {}
    for dob_key, year in years.items():
        if list(years.values()).count(year) > 1:
            continue  # two people born the same year: the date could be either's
        found = [d for d in dates if int(d[:4]) == year]
        if len(found) == 1:
            out[dob_key] = FieldValue(value=found[0], confidence=UNLABELLED_CONFIDENCE,
                                      warnings=[UNLABELLED_DOB])
    return out
