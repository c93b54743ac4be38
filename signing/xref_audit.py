"""Raw audit of every revision's cross-reference data and of the bytes each update adds.

pyHanko's reader merges xref entries into a dictionary, so an object listed twice in one
section silently resolves to one of the copies; poppler, MuPDF and qpdf take the first one.
Here each section is parsed on its own (pyHanko's section parsers, no merging) so that
duplicates are seen, and every byte an incremental update adds is accounted for: the objects
its xref lists, the xref section itself, ``startxref``/``%%EOF``. Whatever else is in an update
(junk, an object nobody references, a second copy of an object) is *hidden* content no
signature speaks for. Linearized files are one revision although they have two xref sections
(the first-page section's ``/Prev`` points forward), so their early ``startxref 0`` is no
revision boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.xref import (
    ObjStreamRef,
    XRefEntry,
    XRefType,
    parse_xref_stream,
    parse_xref_table,
)

__all__ = ["Revision", "Section", "XrefAudit", "XrefAuditError", "audit_xrefs"]

_BLANK = b" \t\r\n\x00\x0c"
#: ``startxref N %%EOF`` after a section; writers such as iText put a comment line before it
_STARTXREF_TAIL = re.compile(
    rb"[ \t\r\n\x00\x0c]*(?:%[^\r\n]*[\r\n]+[ \t\r\n\x00\x0c]*){0,4}"
    rb"startxref[ \t\r\n\x00\x0c]+(\d+)[ \t\r\n\x00\x0c]+%%EOF"
)
_OBJ_HEADER = re.compile(rb"[ \t\r\n\x00\x0c]*(\d+)[ \t\r\n\x00\x0c]+(\d+)[ \t\r\n\x00\x0c]+obj")
#: sections followed at most; a /Prev loop or a hostile chain stops here
MAX_SECTIONS = 10_000


class XrefAuditError(Exception):
    """The xref chain cannot be read raw: the file's structure is not what any reader agrees on."""


@dataclass
class Section:
    """One xref table (with its trailer) or xref stream, exactly as written."""

    offset: int
    kind: str  # "table" | "stream"
    entries: list[XRefEntry]
    end: int  # after the trailer dictionary / the stream's endobj
    prev: int | None
    hybrid_offset: int | None = None
    hybrid_entries: list[XRefEntry] = field(default_factory=list)
    hybrid_end: int | None = None
    stream_ref: tuple[int, int] | None = None
    declared: int = -1
    """the offset startxref or /Prev gave (before blanks are skipped), as pyHanko records it"""


@dataclass
class Revision:
    """A document version: one section, or the two sections of a linearized original."""

    sections: list[Section]
    start: int
    end: int  # after its %%EOF
    duplicates: list[str] = field(default_factory=list)
    hidden: int = 0
    """non-blank bytes of this update that no xref entry, xref section or trailer accounts for"""
    problems: list[str] = field(default_factory=list)
    """other findings that make this update untrustworthy (Vietnamese)"""

    @property
    def offsets(self) -> set[int]:
        return {s.offset for s in self.sections}


@dataclass
class XrefAudit:
    revisions: list[Revision]
    trailing: int
    """non-blank bytes after the last revision's %%EOF"""
    linearized: bool
    hybrid: bool

    def revision_of_offset(self, offset: int) -> int | None:
        """Our revision index holding the xref section at ``offset`` (maps pyHanko's numbering)."""
        for i, rev in enumerate(self.revisions):
            if any(offset in (s.offset, s.declared) for s in rev.sections):
                return i
        return None


def audit_xrefs(data: Any, handler: Any) -> XrefAudit:
    """Parse the chain from the last ``startxref`` and account for every update's bytes.

    ``data`` is the file (bytes or mmap), ``handler`` the pyHanko reader of the same bytes
    (only used to resolve an indirect ``/Length`` while skipping over objects).
    Raises :class:`XrefAuditError` when the chain cannot be followed.
    """
    view = _Stream(data)
    last = _last_startxref(data)
    sections: list[Section] = []
    seen: set[int] = set()
    offset: int | None = last
    while offset is not None:
        if offset in seen:
            raise XrefAuditError(f"vòng lặp /Prev tại byte {offset} (xref /Prev loop)")
        if len(sections) >= MAX_SECTIONS:
            raise XrefAuditError("quá nhiều bảng tham chiếu (too many xref sections)")
        seen.add(offset)
        section = _read_section(view, offset, handler)
        section.declared = offset
        sections.append(section)
        offset = section.prev
    sections.reverse()  # oldest first
    revisions = _group(sections, data)
    for i in range(1, len(revisions)):
        _account(revisions, i, view, handler)
    for rev in revisions:
        rev.duplicates = _duplicates(rev)
    trailing = len(bytes(data[revisions[-1].end :]).strip(_BLANK))
    linearized = any(len(r.sections) > 1 for r in revisions)
    hybrid = any(s.hybrid_offset is not None for s in sections)
    return XrefAudit(revisions=revisions, trailing=trailing, linearized=linearized, hybrid=hybrid)


# --- reading sections ----------------------------------------------------------------------------


class _Stream:
    """A seekable read view over bytes or an mmap, as pyHanko's parsers expect."""

    def __init__(self, data: Any) -> None:
        self._data = data
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._data) if n < 0 else min(len(self._data), self._pos + n)
        out = bytes(self._data[self._pos : end])
        self._pos = end
        return out

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._data)}[whence]
        self._pos = max(0, min(len(self._data), base + pos))
        return self._pos

    def tell(self) -> int:
        return self._pos


def _last_startxref(data: Any) -> int:
    pos = data.rfind(b"startxref")
    if pos < 0:
        raise XrefAuditError("không có startxref (no startxref)")
    m = re.match(rb"startxref[ \t\r\n\x00\x0c]+(\d+)", bytes(data[pos : pos + 40]))
    if m is None:
        raise XrefAuditError("startxref không có vị trí (startxref without an offset)")
    return int(m.group(1))


def _read_section(view: _Stream, offset: int, handler: Any) -> Section:
    if offset >= len(view._data):
        raise XrefAuditError(f"startxref/Prev {offset} nằm ngoài tệp (points outside the file)")
    while offset < len(view._data) and view._data[offset : offset + 1] in (
        b" ",
        b"\t",
        b"\r",
        b"\n",
        b"\x00",
        b"\x0c",
    ):
        offset += 1  # linearized files point at the blank before their first-page xref
    view.seek(offset)
    head = view.read(4)
    try:
        if head == b"xref":
            entries = list(parse_xref_table(view, strict=False))
            trailer = generic.DictionaryObject.read_from_stream(view, generic.TrailerReference(handler))
            section = Section(
                offset=offset, kind="table", entries=entries, end=view.tell(), prev=_int(trailer, "/Prev")
            )
            hybrid = _int(trailer, "/XRefStm")
            if hybrid is not None:
                ref, stream, end = _read_stream_object(view, hybrid, handler)
                section.hybrid_offset = hybrid
                section.hybrid_entries = list(parse_xref_stream(stream, strict=False))
                section.hybrid_end = end
            return section
        ref, stream, end = _read_stream_object(view, offset, handler)
        if stream.get("/Type") != "/XRef":
            raise XrefAuditError(f"byte {offset}: không phải bảng tham chiếu (not an xref section)")
        return Section(
            offset=offset,
            kind="stream",
            entries=list(parse_xref_stream(stream, strict=False)),
            end=end,
            prev=_int(stream, "/Prev"),
            stream_ref=ref,
        )
    except XrefAuditError:
        raise
    except (misc.PdfError, ValueError, KeyError, TypeError, IndexError, AssertionError, OSError) as exc:
        raise XrefAuditError(f"bảng tham chiếu tại byte {offset} hỏng (damaged xref section): {exc}") from exc


def _read_stream_object(view: _Stream, offset: int, handler: Any) -> tuple[tuple[int, int], Any, int]:
    num, gen, obj, end = _read_object_at(view, offset, handler)
    if not isinstance(obj, generic.StreamObject):
        raise XrefAuditError(f"byte {offset}: không phải luồng tham chiếu (not an xref stream)")
    return (num, gen), obj, end


def _read_object_at(view: _Stream, offset: int, handler: Any) -> tuple[int, int, Any, int]:
    """Parse ``N G obj ... endobj`` at ``offset``; returns number, generation, object, end."""
    m = _OBJ_HEADER.match(bytes(view._data[offset : offset + 64]))
    if m is None:
        raise XrefAuditError(f"byte {offset}: không có đầu đối tượng (no object header)")
    num, gen = int(m.group(1)), int(m.group(2))
    view.seek(offset + m.end())
    misc.read_non_whitespace(view, seek_back=True)
    obj = generic.read_object(view, generic.Reference(num, gen, handler))
    pos = view.tell()
    tail = bytes(view._data[pos : pos + 64])
    k = tail.find(b"endobj")
    if k < 0 or tail[:k].strip(_BLANK):
        raise XrefAuditError(f"đối tượng {num} {gen} tại byte {offset} không có endobj (no endobj)")
    return num, gen, obj, pos + k + len(b"endobj")


def _int(d: Any, key: str) -> int | None:
    try:
        v = d.raw_get(key)
    except KeyError:
        return None
    if not isinstance(v, int):
        raise XrefAuditError(f"{key} không phải số (not a number)")
    return int(v)


# --- revisions and their bytes -------------------------------------------------------------------


def _eof_after(data: Any, pos: int) -> tuple[int, int]:
    """End of the ``startxref N %%EOF`` tail right after ``pos`` and the junk before it."""
    m = _STARTXREF_TAIL.match(bytes(data[pos : pos + 512]))
    if m is not None:
        return pos + m.end(), 0
    eof = data.find(b"%%EOF", pos)
    if eof < 0:
        return pos, 0
    junk = len(bytes(data[pos:eof]).strip(_BLANK))
    return eof + 5, junk


def _group(sections: list[Section], data: Any) -> list[Revision]:
    """Merge a linearized file's first-page section (forward /Prev) with the main one."""
    groups: list[list[Section]] = []
    for s in sections:
        # the section read after (chronologically: before) this one sits later in the file
        if (
            groups
            and groups[-1][-1].prev is None
            and s.prev is not None
            and s.prev > s.offset
            and len(groups) == 1
        ):
            groups[-1].append(s)
        else:
            groups.append([s])
    revisions: list[Revision] = []
    start = 0
    for group in groups:
        last_in_file = max(group, key=lambda s: s.end)
        end, junk = _eof_after(data, last_in_file.end)
        rev = Revision(sections=group, start=start, end=end)
        if junk:
            rev.hidden += junk
            rev.problems.append(f"{junk} byte lạ trước %%EOF (bytes before %%EOF)")
        revisions.append(rev)
        start = end
    return revisions


def _in_use(entries: list[XRefEntry]) -> Iterator[XRefEntry]:
    return (e for e in entries if e.xref_type != XRefType.FREE)


def _duplicates(rev: Revision) -> list[str]:
    """Objects listed twice in one section, or in use in a table and its XRefStm at two places."""
    out = []
    for s in rev.sections:
        for entries in (s.entries, s.hybrid_entries):
            seen: dict[int, XRefEntry] = {}
            for e in entries:
                if e.idnum in seen:
                    out.append(f"đối tượng {e.idnum} được liệt kê hai lần (object {e.idnum} listed twice)")
                seen[e.idnum] = e
        table = {e.idnum: e for e in _in_use(s.entries)}
        for e in _in_use(s.hybrid_entries):
            other = table.get(e.idnum)
            if other is not None and other.location != e.location:
                out.append(
                    f"đối tượng {e.idnum} có hai vị trí trong bảng và XRefStm "
                    f"(object {e.idnum} at two places in table and XRefStm)"
                )
    return out


def _account(revisions: list[Revision], index: int, view: _Stream, handler: Any) -> None:
    """Every byte of update ``index`` must belong to a listed object, its xref or its tail."""
    rev = revisions[index]
    data = view._data
    covered: list[tuple[int, int]] = []
    earlier = _effective_locations(revisions[:index])
    for s in rev.sections:
        covered.append((s.offset, s.end))
        if s.hybrid_offset is not None and s.hybrid_end is not None:
            covered.append((s.hybrid_offset, s.hybrid_end))
        for e in _in_use([*s.entries, *s.hybrid_entries]):
            if e.xref_type != XRefType.STANDARD or not isinstance(e.location, int):
                continue
            loc = e.location
            if rev.start <= loc < rev.end:
                try:
                    num, gen, _, end = _read_object_at(view, loc, handler)
                except (XrefAuditError, misc.PdfError, ValueError, KeyError, TypeError, IndexError, OSError):
                    rev.problems.append(
                        f"mục tham chiếu của đối tượng {e.idnum} trỏ tới dữ liệu không đọc được "
                        f"(xref entry {e.idnum} points at unreadable data)"
                    )
                    continue
                if (num, gen) != (e.idnum, e.generation):
                    rev.problems.append(
                        f"mục tham chiếu {e.idnum} {e.generation} trỏ tới đối tượng {num} {gen} "
                        f"(xref entry points at another object)"
                    )
                covered.append((loc, end))
            elif loc < rev.start and earlier.get(e.idnum) == loc:
                continue  # an unchanged object listed again at its old place: no change
            else:
                rev.problems.append(
                    f"đối tượng {e.idnum} được trỏ tới vị trí {loc} ngoài phiên bản của nó "
                    f"(xref entry points outside its update)"
                )
    # the tail: startxref N %%EOF after the newest section of the update
    last = max(rev.sections, key=lambda s: s.end)
    covered.append((last.end, rev.end))
    rev.hidden += _uncovered(data, rev.start, rev.end, covered)


def _effective_locations(revisions: list[Revision]) -> dict[int, int | ObjStreamRef | None]:
    out: dict[int, int | ObjStreamRef | None] = {}
    for rev in revisions:
        for s in rev.sections:
            for e in [*s.hybrid_entries, *s.entries]:  # the table wins over its XRefStm
                out[e.idnum] = e.location if e.xref_type != XRefType.FREE else None
    return out


def _uncovered(data: Any, start: int, end: int, covered: list[tuple[int, int]]) -> int:
    """Non-blank bytes in [start, end) outside every covered interval."""
    total = 0
    pos = start
    for a, b in sorted(covered):
        if a > pos:
            total += len(bytes(data[pos : min(a, end)]).strip(_BLANK))
        pos = max(pos, b)
        if pos >= end:
            break
    if pos < end:
        total += len(bytes(data[pos:end]).strip(_BLANK))
    return total
