"""Compare what a viewer displays of the final file with what a signature's revision displayed.

pyHanko's difference analysis decides whether each changed *object* fits a permitted category
(form filling, a new signature, validation data). That is necessary, not sufficient: a form
field's flags can hide it, an appearance stream can stop showing the field's value, and both
pass as "form filling". This module works from the other end: it takes a snapshot of everything
that decides what is shown (each page's content and resources, every annotation and its
appearance, each form field's value, flags and appearance, optional content, the catalog's
display entries) in the signed revision and in the final one, and lists every difference that
the signature's permissions do not explain. Anything it cannot read is a difference too.
"""

from __future__ import annotations

import decimal
import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm

from signing.appearance_text import shown_text

__all__ = [
    "FieldState",
    "Snapshot",
    "Stamp",
    "displayed_changes",
    "new_signature_stamps",
    "page_geometry",
    "signature_history",
    "signed_signature_blocks",
    "snapshot",
]

#: keys that decide nothing a viewer shows (back-pointers, metadata, application data)
_IGNORED_KEYS = frozenset(
    {
        "/Parent",
        "/P",
        "/Annots",
        "/Metadata",
        "/PieceInfo",
        "/LastModified",
        "/StructParents",
        "/StructParent",
        "/Tabs",
    }
)
#: catalog entries that change what is displayed or done on opening
_CATALOG_DISPLAY_KEYS = ("/OCProperties", "/OpenAction", "/AA", "/Names", "/Collection", "/PageLabels")
_ACROFORM_DISPLAY_KEYS = ("/NeedAppearances", "/XFA")
#: annotation flags that do not change what is shown: ReadOnly, Locked, LockedContents
_HARMLESS_F_BITS = 64 | 128 | 512
#: field flag ReadOnly (Acrobat sets it on fields a signature locks)
_FF_READ_ONLY = 1
_WIDGET_KEYS = ("/Rect", "/AP", "/AS", "/MK", "/OC", "/BS", "/Border", "/C", "/DA", "/Q")
#: what filling a field rewrites on its widget: the appearance, its state, the font and alignment
#: it is drawn with; any of them is checked against the value like a new appearance
_APPEARANCE_KEYS = frozenset({"/AP", "/AS", "/DA", "/Q"})
#: choice field flag Combo (a drop-down showing the selected option only)
_FF_COMBO = 1 << 17
MAX_DEPTH = 64
_PROXY = generic.EncryptedObjAccess.PROXY


class _Unreadable(Exception):
    pass


# What reading a damaged or hostile PDF raises: any of these means "cannot say what is displayed".
_READ_ERRORS = (
    _Unreadable,
    misc.PdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RecursionError,
)


@dataclass
class Widget:
    page: int | None
    flags: int
    digests: dict[str, str]
    shown_text: str | None
    normal_states: tuple[str, ...]
    visible: bool = True
    rect: tuple[float, float, float, float] | None = None


@dataclass
class FieldState:
    name: str
    ft: str | None
    ff: int
    value: Any
    value_digest: str
    widgets: list[Widget]
    sig_type: str | None = None
    #: the texts a text or choice field's appearance must draw (a choice shows its option's label)
    shown: list[str] = field(default_factory=list)
    list_box: bool = False


@dataclass
class Snapshot:
    pages: list[str]
    annotations: list[list[str]]
    fields: dict[str, FieldState]
    catalog: str
    errors: list[str] = field(default_factory=list)


def snapshot(reader: PdfFileReader, revision: int, cache: dict[Any, str] | None = None) -> Snapshot:
    """What revision ``revision`` of the file displays, reduced to comparable digests."""
    resolver = reader.get_historical_resolver(revision)
    d = _Digester(reader, revision, cache if cache is not None else {})
    snap = Snapshot(pages=[], annotations=[], fields={}, catalog="")
    root = resolver.root
    widget_pages: dict[int, int] = {}
    try:
        for index, (page_ref, page, inherited) in enumerate(_pages(root)):
            snap.pages.append(d.digest(page, skip=_IGNORED_KEYS) + ":" + d.digest(inherited))
            others = []
            for annot_ref in _array(page.get("/Annots")):
                annot = _deref(annot_ref)
                if not isinstance(annot, generic.DictionaryObject):
                    raise _Unreadable(f"chú thích hỏng trên trang {index + 1} (bad annotation)")
                if annot.get("/Subtype") == "/Widget":
                    if isinstance(annot_ref, generic.IndirectObject):
                        widget_pages[annot_ref.idnum] = index
                    continue
                others.append(d.digest(annot, skip=_IGNORED_KEYS))
            snap.annotations.append(sorted(others))
            del page_ref
        catalog = generic.DictionaryObject({k: v for k, v in root.items() if k in _CATALOG_DISPLAY_KEYS})
        form = root.get("/AcroForm")
        form = _deref(form)
        if isinstance(form, generic.DictionaryObject):
            for k in _ACROFORM_DISPLAY_KEYS:
                if k in form:
                    catalog[generic.NameObject("/AcroForm" + k)] = form.raw_get(k)
            for state in _fields(form, d, widget_pages):
                if state.name in snap.fields:
                    raise _Unreadable(f"hai trường cùng tên {state.name} (two fields named alike)")
                snap.fields[state.name] = state
        snap.catalog = d.digest(catalog)
    except _READ_ERRORS as exc:
        snap.errors.append(
            f"không đọc được nội dung hiển thị (cannot read displayed content): {str(exc)[:160]}"
        )
    return snap


def displayed_changes(before: Snapshot, after: Snapshot, docmdp: MDPPerm | None) -> list[str]:
    """Visible differences between two snapshots that ``docmdp`` does not permit (Vietnamese)."""
    out: list[str] = [*before.errors, *after.errors]
    if out:
        return out
    if len(before.pages) != len(after.pages):
        out.append(f"số trang đổi từ {len(before.pages)} thành {len(after.pages)} (page count changed)")
    for i, (a, b) in enumerate(zip(before.pages, after.pages, strict=False)):
        if a != b:
            out.append(f"nội dung trang {i + 1} bị thay đổi (page {i + 1} content changed)")
    for i, (a2, b2) in enumerate(zip(before.annotations, after.annotations, strict=False)):
        if a2 != b2:
            out.append(
                f"chú thích trên trang {i + 1} bị thêm, sửa hoặc xoá (annotations changed on page {i + 1})"
            )
    if before.catalog != after.catalog:
        out.append("thiết lập hiển thị của tài liệu bị thay đổi (document display settings changed)")
    fill_ok = docmdp is None or docmdp in (MDPPerm.FILL_FORMS, MDPPerm.ANNOTATE)
    sign_ok = docmdp != MDPPerm.NO_CHANGES
    for name, old in before.fields.items():
        new = after.fields.get(name)
        if new is None:
            what = "chữ ký" if old.ft == "/Sig" else "trường"
            out.append(f"{what} '{name}' bị gỡ bỏ sau khi ký (field removed after signing)")
            continue
        out.extend(_field_changes(old, new, fill_ok=fill_ok, sign_ok=sign_ok))
    for name, new in after.fields.items():
        if name in before.fields:
            continue
        if new.ft != "/Sig":
            out.append(f"trường mới '{name}' được thêm sau khi ký (new form field added)")
        elif docmdp is not None and new.value is None and any(w.visible for w in new.widgets):
            # after a certification only a signature may bring a stamp: an unsigned visible field
            # is a picture drawn on the certified page
            out.append(
                f"trường chữ ký mới '{name}' có hình hiển thị nhưng chưa được ký, sau chứng nhận "
                "(new visible signature field without a signature after certification)"
            )
        elif new.value is not None and not sign_ok and not _invisible_doc_ts(new):
            out.append(
                f"chữ ký mới '{name}' trái với chứng nhận không cho thay đổi (new signature under P=1)"
            )
        elif new.value is None and not sign_ok:
            out.append(
                f"trường chữ ký mới '{name}' trái với chứng nhận không cho thay đổi (new field under P=1)"
            )
    return out


@dataclass(frozen=True)
class Stamp:
    """The visible widget of a signature added after the signed revision: where it draws."""

    field: str
    page: int
    rect: tuple[float, float, float, float]
    signed: bool = True


def new_signature_stamps(before: Snapshot, after: Snapshot) -> list[Stamp]:
    """Visible widgets of signature fields that ``before`` did not have, signed or not."""
    out = []
    for name, state in after.fields.items():
        if name in before.fields or state.ft != "/Sig":
            continue
        for w in state.widgets:
            if w.visible and w.page is not None and w.rect is not None:
                out.append(Stamp(field=name, page=w.page, rect=w.rect, signed=state.value is not None))
    return out


def signed_signature_blocks(before: Snapshot) -> list[Stamp]:
    """Visible widgets of the signatures ``before`` already carries: the signers' blocks."""
    out = []
    for name, state in before.fields.items():
        if state.ft != "/Sig" or state.value is None:
            continue
        for w in state.widgets:
            if w.visible and w.page is not None and w.rect is not None:
                out.append(Stamp(field=name, page=w.page, rect=w.rect))
    return out


def page_geometry(reader: PdfFileReader, revision: int, index: int) -> tuple[tuple[float, ...], int] | None:
    """The CropBox (else MediaBox) and /Rotate of page ``index`` as revision ``revision`` has it."""
    try:
        for i, (_, page, inherited) in enumerate(_pages(reader.get_historical_resolver(revision).root)):
            if i != index:
                continue
            box = _deref(page.get("/CropBox") or inherited.get("/CropBox"))
            if box is None:
                box = _deref(page.get("/MediaBox") or inherited.get("/MediaBox"))
            rot = _deref(page.get("/Rotate") or inherited.get("/Rotate") or 0)
            x0, y0, x1, y1 = (float(_deref(v)) for v in _array(box))
            return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), int(rot)
    except (*_READ_ERRORS, StopIteration):
        return None
    return None


def signature_history(reader: PdfFileReader) -> dict[str, int]:
    """Signature fields that carried a value in some revision: name -> first such revision."""
    out: dict[str, int] = {}
    for rev in range(reader.xrefs.total_revisions):
        try:
            root = reader.get_historical_resolver(rev).root
            form = root.get("/AcroForm")
            form = _deref(form)
            if not isinstance(form, generic.DictionaryObject):
                continue
            for name, fdict, _ in _walk_fields(form.get("/Fields")):
                if _inherited(fdict, "/FT") == "/Sig" and "/V" in fdict:
                    out.setdefault(name, rev)
        except _READ_ERRORS:
            continue
    return out


def _deref(value: Any) -> Any:
    """The object itself: indirect references followed, encrypted objects decrypted."""
    for _ in range(MAX_DEPTH):
        if isinstance(value, generic.IndirectObject):
            value = value.get_object()
        elif isinstance(value, generic.DecryptedObjectProxy):
            value = value.decrypted
        else:
            return value
    raise _Unreadable("chuỗi tham chiếu quá dài (reference chain too long)")


# --- fields --------------------------------------------------------------------------------------


def _field_changes(old: FieldState, new: FieldState, *, fill_ok: bool, sign_ok: bool) -> list[str]:
    n = old.name
    out = []
    if old.ft != new.ft:
        return [f"loại của trường '{n}' bị đổi (field type changed)"]
    if (old.ff ^ new.ff) & ~_FF_READ_ONLY:
        out.append(f"cờ của trường '{n}' bị đổi (field flags changed)")
    if len(old.widgets) != len(new.widgets):
        return [*out, f"hình hiển thị của trường '{n}' bị thêm hoặc xoá (field widgets changed)"]
    newly_signed = old.ft == "/Sig" and old.value is None and new.value is not None
    if old.ft == "/Sig":
        if old.value is not None and old.value_digest != new.value_digest:
            out.append(f"chữ ký '{n}' bị thay thế (signature replaced)")
        if newly_signed and not sign_ok and not _invisible_doc_ts(new):
            out.append(f"trường '{n}' được ký sau khi chứng nhận không cho thay đổi (signed under P=1)")
    value_changed = old.value_digest != new.value_digest
    if old.ft != "/Sig" and value_changed and not fill_ok:
        out.append(f"giá trị trường '{n}' bị sửa trái quyền chứng nhận (field value changed under DocMDP)")
    for i, (wa, wb) in enumerate(zip(old.widgets, new.widgets, strict=True)):
        label = f"'{n}'" + (f" (#{i + 1})" if len(old.widgets) > 1 else "")
        if (wa.flags ^ wb.flags) & ~_HARMLESS_F_BITS:
            out.append(f"cờ hiển thị của trường {label} bị đổi, có thể bị ẩn (annotation flags changed)")
        if wa.page != wb.page:
            out.append(f"trường {label} bị chuyển trang (widget moved to another page)")
        changed = {k for k in _WIDGET_KEYS if wa.digests.get(k) != wb.digests.get(k)}
        if old.ft == "/Sig":
            if changed and not newly_signed:
                out.append(f"hình chữ ký {label} bị thay đổi (signature appearance changed)")
            elif changed - {"/AP", "/AS", "/MK"}:
                out.append(f"vị trí chữ ký {label} bị thay đổi (signature widget changed)")
            continue
        if changed - _APPEARANCE_KEYS:
            out.append(f"hình hiển thị của trường {label} bị thay đổi (widget changed)")
            continue
        if not (changed or value_changed):
            continue
        if not fill_ok:
            out.append(f"hình hiển thị của trường {label} bị thay đổi (appearance changed)")
            continue
        problem = _appearance_mismatch(new, wb)
        if problem:
            out.append(f"trường {label}: {problem}")
    return out


def _appearance_mismatch(state: FieldState, widget: Widget) -> str | None:
    """Does the widget's new appearance show the field's value? None when it does."""
    if state.ft == "/Btn":
        value = str(state.value) if state.value is not None else "/Off"
        if value not in widget.normal_states and value != "/Off":
            return "giá trị không có hình hiển thị tương ứng (value has no appearance)"
        return None  # the on/off state streams themselves are compared as /AP digests by the caller
    if state.ft in ("/Tx", "/Ch"):
        shown = _norm(widget.shown_text or "")
        expected = [_norm(t) for t in state.shown]
        # a list box draws every option (the selected ones highlighted); anything else draws
        # its value and nothing more, so an empty field draws no text
        ok = all(t in shown for t in expected) if state.list_box else shown == "".join(expected)
        if not ok:
            return "hình hiển thị không khớp giá trị của trường (appearance does not show the value)"
        return None
    return "loại trường không rõ (unknown field type)"


def _text(value: Any) -> str:
    """A PDF string as text (PDFDocEncoding, or Latin-1 where that has no character)."""
    if isinstance(value, generic.ByteStringObject):
        try:
            return str(generic.decode_pdfdocencoding(bytes(value)))
        except (UnicodeDecodeError, ValueError):
            return bytes(value).decode("latin-1")
    return str(value)


def _displayed_values(fdict: generic.DictionaryObject, ft: Any, value: Any) -> list[str]:
    """What the appearance of a text or choice field with ``value`` should draw."""
    if ft not in ("/Tx", "/Ch") or value is None:
        return []
    values: list[str] = [str(v) for v in (value if isinstance(value, list) else [value]) if v]
    if ft == "/Tx":
        return values
    labels: dict[str, str] = {}
    for opt in _array(_inherited_raw(fdict, "/Opt")):
        opt = _deref(opt)
        if isinstance(opt, generic.ArrayObject) and len(opt) == 2:
            labels.setdefault(_text(_deref(opt[0])), _text(_deref(opt[1])))
    return [labels.get(v, v) for v in values]


def _invisible_doc_ts(state: FieldState) -> bool:
    return state.sig_type == "/DocTimeStamp" and not any(w.visible for w in state.widgets)


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _fields(
    form: generic.DictionaryObject, d: _Digester, widget_pages: dict[int, int]
) -> Iterator[FieldState]:
    for name, fdict, widgets in _walk_fields(form.get("/Fields")):
        ft = _inherited(fdict, "/FT")
        ff = _inherited(fdict, "/Ff")
        raw_value = _inherited_raw(fdict, "/V")
        value = _deref(raw_value)
        sig_type = None
        if ft == "/Sig" and isinstance(value, generic.DictionaryObject):
            sig_type = str(value.get("/Type", "/Sig"))
            plain: Any = d.digest(value)
        elif isinstance(value, generic.ArrayObject):
            plain = [_text(x) for x in value]
        elif value is None:
            plain = None
        else:
            plain = _text(value)
        states = []
        for wref, w in widgets:
            digests = {k: d.digest(w.raw_get(k)) for k in _WIDGET_KEYS if k in w}
            page = widget_pages.get(wref.idnum) if wref is not None else None
            states.append(
                Widget(
                    page=page,
                    flags=int(w.get("/F", 0)),
                    digests=digests,
                    shown_text=shown_text(w) if ft in ("/Tx", "/Ch") else None,
                    normal_states=_normal_states(w),
                    visible=_visible(w),
                    rect=_rect(w),
                )
            )
        yield FieldState(
            name=name,
            ft=str(ft) if ft is not None else None,
            ff=int(ff or 0),
            value=plain if ft != "/Sig" else (plain if value is not None else None),
            value_digest=d.digest(raw_value) if raw_value is not None else "-",
            widgets=states,
            sig_type=sig_type,
            shown=_displayed_values(fdict, ft, plain),
            list_box=ft == "/Ch" and not int(ff or 0) & _FF_COMBO,
        )


def _walk_fields(
    fields_arr: Any, prefix: str = "", depth: int = 0, seen: set[int] | None = None
) -> Iterator[
    tuple[str, generic.DictionaryObject, list[tuple[generic.IndirectObject | None, generic.DictionaryObject]]]
]:
    """Terminal fields with their fully qualified names and widget annotations."""
    seen = set() if seen is None else seen
    if depth > MAX_DEPTH:
        raise _Unreadable("cây trường quá sâu (field tree too deep)")
    for ref in _array(fields_arr):
        if isinstance(ref, generic.IndirectObject):
            if ref.idnum in seen:
                raise _Unreadable("cây trường có vòng lặp (circular field tree)")
            seen.add(ref.idnum)
        fdict = _deref(ref)
        if not isinstance(fdict, generic.DictionaryObject):
            raise _Unreadable("trường biểu mẫu hỏng (bad form field)")
        part = _deref(fdict.get("/T"))
        name = prefix + ("." if prefix and part is not None else "") + (str(part) if part is not None else "")
        kids = [k for k in _array(fdict.get("/Kids"))]
        field_kids = []
        widgets: list[tuple[generic.IndirectObject | None, generic.DictionaryObject]] = []
        for k in kids:
            kd = _deref(k)
            if not isinstance(kd, generic.DictionaryObject):
                raise _Unreadable("trường con hỏng (bad kid)")
            if "/T" in kd:
                field_kids.append(k)
            else:
                widgets.append((k if isinstance(k, generic.IndirectObject) else None, kd))
        if field_kids:
            yield from _walk_fields(generic.ArrayObject(field_kids), name, depth + 1, seen)
            if not widgets:
                continue
        if not kids and ("/Rect" in fdict or fdict.get("/Subtype") == "/Widget"):
            widgets = [(ref if isinstance(ref, generic.IndirectObject) else None, fdict)]
        yield name or "(không tên)", fdict, widgets


def _inherited_raw(fdict: generic.DictionaryObject, key: str) -> Any:
    node: Any = fdict
    for _ in range(MAX_DEPTH):
        if not isinstance(node, generic.DictionaryObject):
            return None
        if key in node:
            return node.raw_get(key)
        node = node.get("/Parent")
    return None


def _inherited(fdict: generic.DictionaryObject, key: str) -> Any:
    raw = _inherited_raw(fdict, key)
    return _deref(raw)


def _visible(widget: generic.DictionaryObject) -> bool:
    if int(widget.get("/F", 0)) & (1 | 2 | 32):  # Invisible, Hidden, NoView
        return False
    try:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    except (KeyError, TypeError, ValueError):
        return False
    return abs(x2 - x1) > 0 and abs(y2 - y1) > 0


def _rect(widget: generic.DictionaryObject) -> tuple[float, float, float, float] | None:
    try:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    except (KeyError, TypeError, ValueError):
        return None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _normal_states(widget: generic.DictionaryObject) -> tuple[str, ...]:
    try:
        n = widget["/AP"]["/N"]
    except (KeyError, TypeError):
        return ()
    if isinstance(n, generic.DictionaryObject) and not isinstance(n, generic.StreamObject):
        return tuple(str(k) for k in n)
    return ()


# --- pages ---------------------------------------------------------------------------------------

_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _pages(
    root: generic.DictionaryObject,
) -> Iterator[tuple[Any, generic.DictionaryObject, generic.DictionaryObject]]:
    seen: set[int] = set()

    def walk(node_ref: Any, inherited: dict[str, Any], depth: int) -> Iterator[Any]:
        if depth > MAX_DEPTH:
            raise _Unreadable("cây trang quá sâu (page tree too deep)")
        if isinstance(node_ref, generic.IndirectObject):
            if node_ref.idnum in seen:
                raise _Unreadable("cây trang có vòng lặp (circular page tree)")
            seen.add(node_ref.idnum)
        node = _deref(node_ref)
        if not isinstance(node, generic.DictionaryObject):
            raise _Unreadable("nút cây trang hỏng (bad page tree node)")
        inh = dict(inherited)
        for k in _INHERITABLE:
            if k in node:
                inh[k] = node.raw_get(k)
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in _array(node.get("/Kids")):
                yield from walk(kid, inh, depth + 1)
        else:
            extra = generic.DictionaryObject(
                {generic.NameObject(k): v for k, v in inh.items() if k not in node}
            )
            yield node_ref, node, extra

    yield from walk(root.raw_get("/Pages"), {}, 0)


def _array(value: Any) -> list[Any]:
    value = _deref(value)
    if value is None or isinstance(value, generic.NullObject):
        return []
    if not isinstance(value, generic.ArrayObject):
        raise _Unreadable("mảng hỏng (expected an array)")
    return list(value)


# --- digests -------------------------------------------------------------------------------------


class _Digester:
    """Content digests of objects as resolved in one revision (cycles and depth bounded)."""

    def __init__(self, reader: PdfFileReader, revision: int, stream_cache: dict[Any, str]) -> None:
        self.reader = reader
        self.revision = revision
        self.memo: dict[int, str] = {}
        self.stream_cache = stream_cache

    def digest(self, obj: Any, skip: frozenset[str] = frozenset(), depth: int = 0) -> str:
        h = hashlib.sha256()
        self._feed(h, obj, skip, depth)
        return h.hexdigest()[:32]

    def _feed(self, h: Any, obj: Any, skip: frozenset[str], depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _Unreadable("đối tượng lồng quá sâu (objects nested too deep)")
        if isinstance(obj, generic.IndirectObject):
            key = obj.idnum
            if key in self.memo:
                h.update(b"R" + self.memo[key].encode())
                return
            self.memo[key] = f"cycle:{key}"
            target = obj.get_object()
            sub = hashlib.sha256()
            self._feed(sub, target, _IGNORED_KEYS, depth + 1)
            self.memo[key] = sub.hexdigest()[:32]
            h.update(b"R" + self.memo[key].encode())
            return
        if isinstance(obj, generic.DecryptedObjectProxy):
            raw = obj.raw_object  # strings stay encrypted (a signature's /Contents never is)
            target = (
                raw
                if isinstance(raw, (generic.TextStringObject, generic.ByteStringObject))
                else obj.decrypted
            )
            self._feed(h, target, skip, depth + 1)
            return
        if isinstance(obj, generic.StreamObject):
            h.update(b"S")
            h.update(self._stream_digest(obj).encode())
            for k in sorted(obj.keys()):
                if k in ("/Length", *skip):
                    continue
                h.update(str(k).encode() + b"=")
                self._feed(h, obj.raw_get(k, decrypt=_PROXY), _IGNORED_KEYS, depth + 1)
            return
        if isinstance(obj, generic.DictionaryObject):
            h.update(b"<<")
            for k in sorted(obj.keys()):
                if k in skip:
                    continue
                h.update(str(k).encode() + b"=")
                self._feed(h, obj.raw_get(k, decrypt=_PROXY), _IGNORED_KEYS, depth + 1)
            h.update(b">>")
            return
        if isinstance(obj, generic.ArrayObject):
            h.update(b"[")
            for x in list.__iter__(obj):  # as stored: encrypted strings stay proxies
                self._feed(h, x, _IGNORED_KEYS, depth + 1)
                h.update(b",")
            h.update(b"]")
            return
        if isinstance(obj, (generic.TextStringObject, generic.ByteStringObject)):
            h.update(b"s" + bytes(obj.original_bytes) + b")")
            return
        if isinstance(obj, (generic.NumberObject, generic.FloatObject)):
            # 612 and 612.0 are one number to a viewer; writers re-serialise either way
            h.update(b"n:" + str(decimal.Decimal(obj).normalize()).encode() + b";")
            return
        if isinstance(obj, generic.NullObject) or obj is None:
            h.update(b"null;")  # its repr is the object's memory address: never the same twice
            return
        h.update(type(obj).__name__.encode() + b":" + repr(obj).encode() + b";")

    def _stream_digest(self, stream: generic.StreamObject) -> str:
        ref = stream.container_ref
        loc = None
        if isinstance(ref, generic.Reference):
            try:
                loc = (ref.idnum, ref.generation, self.reader.xrefs.get_historical_ref(ref, self.revision))
            except (KeyError, ValueError, TypeError):
                loc = None
        if loc is not None and loc in self.stream_cache:
            return self.stream_cache[loc]
        value = hashlib.sha256(stream.encoded_data or b"").hexdigest()[:32]
        if loc is not None:
            self.stream_cache[loc] = value
        return value
