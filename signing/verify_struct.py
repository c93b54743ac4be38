"""Tagged-PDF bookkeeping of a new signature: allowed after signing, nothing else in the tree is.

When a tagged file (Word's "PDF/UA" export, most government documents) is signed again, iText
(the VGCA sign service, Acrobat too) records the new signature widget in the structure tree: a
``/Form`` element whose only kid is an object reference to the widget, appended to an existing
element's ``/K``, and a ``/ParentTree`` rewritten with one more entry. pyHanko's policy cannot
explain those objects, so every earlier signature of such a file read "modified" although what
is displayed is untouched (the structure tree is never rendered; verify_content checks the
display independently).

This rule approves exactly that and nothing more: an existing element may only gain new
``/Form`` kids, the parent tree may only gain keys pointing at them, and every old key must keep
its value. Alternative text, ``/ActualText`` or any other change to the tree stays unexplained,
so pyHanko still calls it a modification.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import ModificationLevel, QualifiedWhitelistRule, ReferenceUpdate

__all__ = ["StructTreeSignatureRule"]

#: what a signature's structure element may hold (iText writes these and no more)
_FORM_KEYS = frozenset({"/Type", "/S", "/P", "/K", "/Pg"})
_ROOT_MUTABLE = frozenset({"/ParentTree", "/ParentTreeNextKey", "/K"})
#: a number tree deeper or larger than this is not bookkeeping of a few signatures
_MAX_DEPTH = 32
_MAX_NODES = 200_000


class _NotBookkeeping(Exception):
    """Something in the tree changed beyond a new signature's entry: leave it unexplained."""


class StructTreeSignatureRule(QualifiedWhitelistRule):
    """Approve the structure-tree entries of signature widgets added in the new revision."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        try:
            old_ref = old.root.get_value_as_reference("/StructTreeRoot")
            new_ref = new.root.get_value_as_reference("/StructTreeRoot")
        except (KeyError, misc.IndirectObjectExpected):
            return
        changed = set(new.explicit_refs_in_revision())
        if _key(old_ref) != _key(new_ref) or new_ref not in changed:
            return
        try:
            approved = _explain(old, new, new_ref, changed)
        except (_NotBookkeeping, KeyError, TypeError, ValueError, misc.PdfReadError):
            return
        for ref in approved:
            yield ModificationLevel.FORM_FILLING, ReferenceUpdate(ref)


def _explain(
    old: HistoricalResolver,
    new: HistoricalResolver,
    root_ref: generic.Reference,
    changed: set[generic.Reference],
) -> set[generic.Reference]:
    """The references this revision wrote for new signatures' structure entries, or raise.

    pyHanko compares the signed revision with each later one in turn, so the elements of a
    signature added in an intermediate revision are new here too, just not written here.
    """
    old_root, new_root = old.get_object(root_ref), new.get_object(root_ref)
    _require(
        isinstance(old_root, generic.DictionaryObject) and isinstance(new_root, generic.DictionaryObject)
    )
    _require(set(old_root) - _ROOT_MUTABLE == set(new_root) - _ROOT_MUTABLE)
    for k in set(old_root) - _ROOT_MUTABLE:
        _require(_same(old_root.raw_get(k), new_root.raw_get(k)))

    forms = _Forms(old, new, changed)
    for ref in changed:
        if old.is_ref_unassignable(ref) and _is_struct_elem(new.get_object(ref)):
            _require(forms.holds(ref))  # a new element of any other kind is not bookkeeping
    approved: set[generic.Reference] = {root_ref}
    # existing elements (and the root's /K) may only gain new /Form kids
    for ref in changed:
        if old.is_ref_unassignable(ref) or _key(ref) == _key(root_ref):
            continue
        before, after = old.get_object(ref), new.get_object(ref)
        if not _is_struct_elem(after):
            continue
        _require(_is_struct_elem(before) and set(before) - {"/K"} == set(after) - {"/K"})
        for k in set(before) - {"/K"}:
            _require(_same(before.raw_get(k), after.raw_get(k)))
        _require(_kids_only_gained(before.raw_get("/K", None), after.raw_get("/K", None), forms))
        approved.add(ref)
    _require(_kids_only_gained(old_root.raw_get("/K", None), new_root.raw_get("/K", None), forms))
    approved |= _parent_tree(old_root, new_root, forms, changed)
    _require(bool(forms.written))
    return approved | forms.written


class _Forms:
    """Structure elements new since the signed revision that are a signature widget's entry."""

    def __init__(self, old: HistoricalResolver, new: HistoricalResolver, changed: set[generic.Reference]):
        self.old, self.new, self.changed = old, new, changed
        self.verdicts: dict[tuple[int, int], bool] = {}
        self.written: set[generic.Reference] = set()

    def holds(self, ref: generic.Reference) -> bool:
        key = _key(ref)
        if key not in self.verdicts:
            self.verdicts[key] = self._check(ref)
        return self.verdicts[key]

    def _check(self, ref: generic.Reference) -> bool:
        if not self.old.is_ref_unassignable(ref):
            return False
        obj = self.new.get_object(ref)
        if not _is_struct_elem(obj) or not set(obj) <= _FORM_KEYS or obj.get("/S") != "/Form":
            return False
        objr_ref, objr = _deref(obj.raw_get("/K"))
        if not isinstance(objr, generic.DictionaryObject) or objr.get("/Type") != "/OBJR":
            return False
        if not set(objr) <= {"/Type", "/Obj", "/Pg"}:
            return False
        target = objr.raw_get("/Obj")
        if not isinstance(target, generic.IndirectObject) or not self.old.is_ref_unassignable(
            target.reference
        ):
            return False
        if not _is_sig_widget(self.new.get_object(target.reference)):
            return False
        if objr_ref is not None:
            if not self.old.is_ref_unassignable(objr_ref):
                return False
            if objr_ref in self.changed:
                self.written.add(objr_ref)
        if ref in self.changed:
            self.written.add(ref)
        return True


def _parent_tree(
    old_root: generic.DictionaryObject,
    new_root: generic.DictionaryObject,
    forms: _Forms,
    changed: set[generic.Reference],
) -> set[generic.Reference]:
    if "/ParentTree" not in new_root:
        _require("/ParentTree" not in old_root)
        return set()
    refs: set[generic.Reference] = set()
    new_map = _numbers(new_root.raw_get("/ParentTree"), refs)
    old_map = _numbers(old_root.raw_get("/ParentTree"), set()) if "/ParentTree" in old_root else {}
    for key, value in old_map.items():
        _require(key in new_map and _same_value(value, new_map[key]))
    for key in set(new_map) - set(old_map):
        value = new_map[key]
        _require(isinstance(value, generic.IndirectObject) and forms.holds(value.reference))
    if "/ParentTreeNextKey" in new_root:
        _require(int(new_root["/ParentTreeNextKey"]) >= int(old_root.get("/ParentTreeNextKey", 0)))
    # the tree's nodes and value arrays written in this revision: plain containers only
    written = {r for r in refs if r in changed}
    for ref in written:
        _require(not isinstance(ref.get_object(), generic.StreamObject))
    return written


def _numbers(node: generic.PdfObject, refs: set[generic.Reference]) -> dict[int, generic.PdfObject]:
    """A number tree flattened; ``refs`` collects the references of its nodes and value arrays."""
    out: dict[int, generic.PdfObject] = {}
    seen: set[tuple[int, int]] = set()

    def walk(item: generic.PdfObject, depth: int) -> None:
        _require(depth < _MAX_DEPTH and len(seen) < _MAX_NODES)
        ref, obj = _deref(item)
        if ref is not None:
            _require(_key(ref) not in seen)
            seen.add(_key(ref))
            refs.add(ref)
        if not isinstance(obj, generic.DictionaryObject):
            raise _NotBookkeeping
        if "/Nums" in obj:
            nums = obj["/Nums"]
            _require(isinstance(nums, generic.ArrayObject) and len(nums) % 2 == 0)
            for i in range(0, len(nums), 2):
                value = nums.raw_get(i + 1)
                value_ref, value_obj = _deref(value)
                if value_ref is not None and isinstance(value_obj, generic.ArrayObject):
                    refs.add(value_ref)  # an element's own object is never approved from here
                out[int(nums[i])] = value
        if "/Kids" in obj:
            _, kids = _deref(obj.raw_get("/Kids"))
            if not isinstance(kids, generic.ArrayObject):
                raise _NotBookkeeping
            for i in range(len(kids)):
                walk(kids.raw_get(i), depth + 1)

    walk(node, 0)
    return out


def _kids_only_gained(before: object, after: object, forms: _Forms) -> bool:
    """``after`` is ``before`` with new ``/Form`` kids added (in any place), nothing else."""
    kept = [
        k
        for k in _raw_items(after)
        if not (isinstance(k, generic.IndirectObject) and forms.holds(k.reference))
    ]
    old_items = _raw_items(before)
    return len(kept) == len(old_items) and all(_same(a, b) for a, b in zip(old_items, kept, strict=True))


def _raw_items(k: object) -> list[generic.PdfObject]:
    if k is None:
        return []
    if isinstance(k, generic.ArrayObject):
        return [k.raw_get(i) for i in range(len(k))]
    return [k]  # type: ignore[list-item]


def _same_value(a: generic.PdfObject, b: generic.PdfObject) -> bool:
    """A parent-tree value: the same element, or an array (maybe rewritten) of the same items.

    Arrays are compared by content even under the same reference: one rewritten in place is
    approved only if it still says what it said.
    """
    a_ref, a_obj = _deref(a)
    b_ref, b_obj = _deref(b)
    if isinstance(a_obj, generic.ArrayObject) and isinstance(b_obj, generic.ArrayObject):
        return _same(a_obj, b_obj)
    return a_ref is not None and b_ref is not None and _key(a_ref) == _key(b_ref)


def _same(a: object, b: object) -> bool:
    """Equal as written: references by number, containers item by item, never resolved."""
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and _key(a.reference) == _key(b.reference)
        )
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        return False
    if isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject):
        return set(a) == set(b) and all(_same(a.raw_get(k), b.raw_get(k)) for k in a)
    if isinstance(a, generic.ArrayObject) and isinstance(b, generic.ArrayObject):
        return len(a) == len(b) and all(_same(a.raw_get(i), b.raw_get(i)) for i in range(len(a)))
    return type(a) is type(b) and a == b


def _deref(item: object) -> tuple[generic.Reference | None, object]:
    if isinstance(item, generic.IndirectObject):
        return item.reference, item.get_object()
    return None, item


def _is_struct_elem(obj: object) -> bool:
    return (
        isinstance(obj, generic.DictionaryObject)
        and not isinstance(obj, generic.StreamObject)
        and obj.get("/Type", "/StructElem") == "/StructElem"
        and "/S" in obj
        and "/P" in obj
    )


def _is_sig_widget(obj: object) -> bool:
    if not isinstance(obj, generic.DictionaryObject) or obj.get("/Subtype") != "/Widget":
        return False
    field: object = obj
    for _ in range(_MAX_DEPTH):
        if not isinstance(field, generic.DictionaryObject):
            return False
        if "/FT" in field:
            return bool(field["/FT"] == "/Sig")
        field = field.get("/Parent")
    return False


def _key(ref: generic.Reference) -> tuple[int, int]:
    return ref.idnum, ref.generation


def _require(ok: bool) -> None:
    if not ok:
        raise _NotBookkeeping
