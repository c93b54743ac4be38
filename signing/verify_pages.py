"""A page key re-pointed to an identical copy when a new signature's widget is put on the page.

pyHanko approves a new signature field's widget on a page only when the rest of the page
dictionary is unchanged key by key, references compared as references. Some signing tools
rewrite the page's /Resources as a new object holding exactly what the old one held when they
add a widget (DSS's Signature-P-DE_SCI-4.pdf: /Resources 35 0 R becomes 51 0 R, the same
/ProcSet and /Font, when its document timestamp's widget is added), so the earlier signature
read "modified" although nothing displayed, or anywhere else, changed.

``SigFieldCreationRule`` here is pyHanko's rule with its own walk of the page tree. The walk
requires what pyHanko's requires (the same page tree, no annotation removed, every annotation
added a widget of a new signature field) and compares each such page dictionary key by key,
with one exception: a key other than /Parent and /Annots whose indirect reference now names an
object new in this update, and whose resolved content is equal *by value* to the content the
signed revision had at that key (every key of every nested object, numbers by value, nulls as
nulls, streams by their encoded bytes and dictionaries). The new object and the new objects it
reaches are approved; an old object it reaches is compared as it is now, and if it was
rewritten, nothing approves that rewrite. Any other difference (a font swapped, an XObject added
or changed, another colour space, a direct value, a re-point to an older object, any other page
key changed) stays a modification; verify_content.py still compares what every page displays.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import (
    FieldComparisonContext,
    FormUpdate,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis import SigFieldCreationRule as _PyHankoSigFieldCreationRule
from pyhanko.sign.diff_analysis.rules.form_field_rules import _arr_to_refs, _extract_annots_from_page
from pyhanko.sign.diff_analysis.rules_api import RelativeContext

__all__ = ["SigFieldCreationRule", "same_value"]

#: keys never accepted as re-pointed: the page tree's structure, and the widgets (checked apart)
_NEVER_REPOINTED = frozenset({"/Parent", "/Annots"})
#: bounds on one comparison: a deeper or larger structure is "not the same" (rejected)
_MAX_DEPTH = 64
_MAX_NODES = 50_000


class SigFieldCreationRule(_PyHankoSigFieldCreationRule):
    """pyHanko's rule for new signature fields, whose page walk accepts identical re-pointed keys."""

    def __init__(self, *, allow_new_visible_after_certify: bool = False) -> None:
        # pyHanko's own walk is switched off; _walk below does its work
        super().__init__(
            approve_widget_bindings=False, allow_new_visible_after_certify=allow_new_visible_after_certify
        )

    def apply(self, context: FieldComparisonContext) -> Iterator[tuple[ModificationLevel, FormUpdate]]:
        yield from super().apply(context)
        if not any(
            spec.field_type == "/Sig" and not spec.old_field_ref and spec.new_field_ref is not None
            for spec in context.field_specs.values()
        ):
            return  # no new signature field: a changed /Annots is left to the other rules
        widgets = _new_signature_widgets(context)
        for update in _walk(
            context.old.root["/Pages"], context.new.root["/Pages"], widgets, context.old, context.new, set()
        ):
            yield ModificationLevel.LTA_UPDATES, update


def _new_signature_widgets(context: FieldComparisonContext) -> dict[generic.Reference, str]:
    """The widget annotations of the signature fields new in this update, with their field names.

    A widget is a kid without /T of the field's /Kids, or the field itself when it has no /Kids
    (the same reading as pyHanko's rule, which has already approved the fields themselves).
    """
    out: dict[generic.Reference, str] = {}
    for fq_name, spec in context.field_specs.items():
        if spec.field_type != "/Sig" or spec.old_field_ref or spec.new_field_ref is None:
            continue
        field = spec.new_field_ref.get_object()
        if not isinstance(field, generic.DictionaryObject) or "/Kids" not in field:
            out[spec.new_field_ref] = fq_name
            continue
        for kid in _arr_to_refs(field.raw_get("/Kids"), SuspiciousModification):
            if "/T" not in kid.get_object():
                out[kid] = fq_name
    return out


def _walk(
    old_node: generic.DictionaryObject,
    new_node: generic.DictionaryObject,
    widgets: dict[generic.Reference, str],
    old: HistoricalResolver,
    new: HistoricalResolver,
    seen: set[generic.Reference],
) -> Iterator[FormUpdate]:
    """Approve each page whose only changes are new signature widgets (and identical re-points)."""
    if "/Kids" not in old_node:
        raise misc.PdfReadError("No /Kids in /Pages entry")
    if "/Kids" not in new_node:
        raise SuspiciousModification("No /Kids in /Pages entry")
    old_kids = _arr_to_refs(old_node["/Kids"], misc.PdfReadError)
    new_kids = _arr_to_refs(new_node["/Kids"], SuspiciousModification)
    if old_kids != new_kids:
        raise SuspiciousModification("Unexpected change to page tree structure.")
    for ref in old_kids:
        if ref in seen:
            raise misc.PdfReadError("Circular reference in page tree during annotation analysis")
        old_kid, new_kid = old.get_object(ref), new.get_object(ref)
        try:
            node_type = old_kid["/Type"]
        except (KeyError, TypeError) as exc:
            raise misc.PdfReadError("Invalid page tree node") from exc
        if node_type == "/Pages":
            yield from _walk(old_kid, new_kid, widgets, old, new, seen | {ref})
        elif node_type == "/Page":
            yield from _page(ref, old_kid, new_kid, widgets, old, new)


def _page(
    ref: generic.Reference,
    old_page: generic.DictionaryObject,
    new_page: generic.DictionaryObject,
    widgets: dict[generic.Reference, str],
    old: HistoricalResolver,
    new: HistoricalResolver,
) -> Iterator[FormUpdate]:
    if "/Annots" not in new_page:
        return  # nothing to approve: a rewritten page stays unexplained
    new_annots, new_annots_ref = _extract_annots_from_page(new_page, SuspiciousModification)
    if "/Annots" in old_page:
        old_annots, old_annots_ref = _extract_annots_from_page(old_page, misc.PdfReadError)
    else:
        old_annots, old_annots_ref = set(), None
    if old_annots == new_annots:
        return
    deleted, added = old_annots - new_annots, new_annots - old_annots
    if deleted:
        raise SuspiciousModification(f"Annotations {deleted} were deleted.")
    unknown = added - widgets.keys()
    if unknown:
        raise SuspiciousModification(f"The newly added annotations {unknown} were not recognised.")
    field_name = widgets[next(iter(added))] if len(added) == 1 else None
    locked_ok = field_name is not None
    # the page is approved on every path it is used from: it must be the same page but for the
    # widgets, so every key is compared (re-pointed keys by value)
    repointed = _compare_page(old_page, new_page, old)
    yield FormUpdate(
        updated_ref=ref, field_name=field_name, valid_when_locked=locked_ok, context_checked=None
    )
    for key, new_ref in repointed:
        for dep in {new_ref} | new.collect_dependencies(
            new_ref.get_object(), since_revision=old.revision + 1
        ):
            yield FormUpdate(
                updated_ref=dep,
                field_name=field_name,
                valid_when_locked=locked_ok,
                context_checked=RelativeContext(ref, RawPdfPath(key)) if dep == new_ref else None,
            )
    if new_annots_ref and (old_annots_ref == new_annots_ref or old.is_ref_unassignable(new_annots_ref)):
        yield FormUpdate(
            updated_ref=new_annots_ref,
            field_name=field_name,
            valid_when_locked=locked_ok,
            context_checked=RelativeContext(ref, RawPdfPath("/Annots")),
        )


def _compare_page(
    old_page: generic.DictionaryObject, new_page: generic.DictionaryObject, old: HistoricalResolver
) -> list[tuple[str, generic.Reference]]:
    """Raise unless the pages agree on every key but /Annots; the keys re-pointed to new copies."""
    if isinstance(new_page, generic.StreamObject) or not isinstance(new_page, generic.DictionaryObject):
        raise SuspiciousModification("A page is no longer a dictionary")
    keys = set(new_page.keys()) - {"/Annots"}
    if keys != set(old_page.keys()) - {"/Annots"}:
        raise SuspiciousModification(f"Page keys differ: {keys} vs. {set(old_page.keys())}.")
    repointed = []
    for key in sorted(keys):
        old_value, new_value = old_page.raw_get(key), new_page.raw_get(key)
        if new_value == old_value:
            continue
        if (
            key in _NEVER_REPOINTED
            or not isinstance(old_value, generic.IndirectObject)
            or not isinstance(new_value, generic.IndirectObject)
            or not old.is_ref_unassignable(new_value.reference)
        ):
            raise SuspiciousModification(
                f"Values for page key {key} differ: {old_value} changed to {new_value}"
            )
        if not same_value(old_value, new_value):
            raise SuspiciousModification(
                f"Page key {key} re-pointed from {old_value} to {new_value}, whose content differs"
            )
        repointed.append((key, new_value.reference))
    return repointed


def same_value(old_value: Any, new_value: Any) -> bool:
    """Whether two objects (each resolved in its own revision) hold the same content by value."""
    return _Comparison().same(old_value, new_value, 0)


class _Comparison:
    def __init__(self) -> None:
        self.nodes = 0
        #: reference pairs being (or already) compared: a cycle back to one of them is consistent
        self.assumed: set[tuple[generic.Reference, generic.Reference]] = set()

    def same(self, a: Any, b: Any, depth: int) -> bool:
        self.nodes += 1
        if self.nodes > _MAX_NODES or depth > _MAX_DEPTH:
            return False
        if isinstance(a, generic.IndirectObject) and isinstance(b, generic.IndirectObject):
            pair = (a.reference, b.reference)
            if pair in self.assumed:
                return True
            self.assumed.add(pair)
        if isinstance(a, generic.IndirectObject):
            a = a.get_object()
        if isinstance(b, generic.IndirectObject):
            b = b.get_object()
        if isinstance(a, generic.DecryptedObjectProxy):
            a = a.decrypted
        if isinstance(b, generic.DecryptedObjectProxy):
            b = b.decrypted
        return self._same_resolved(a, b, depth)

    def _same_resolved(self, a: Any, b: Any, depth: int) -> bool:
        if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
            if not (isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject)):
                return False
            return a.encoded_data == b.encoded_data and self._same_dict(a, b, depth)
        if isinstance(a, generic.DictionaryObject) or isinstance(b, generic.DictionaryObject):
            both = isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject)
            return both and self._same_dict(a, b, depth)
        if isinstance(a, generic.ArrayObject) or isinstance(b, generic.ArrayObject):
            if not (isinstance(a, generic.ArrayObject) and isinstance(b, generic.ArrayObject)):
                return False
            return len(a) == len(b) and all(
                self.same(a.raw_get(i), b.raw_get(i), depth + 1) for i in range(len(a))
            )
        return _same_leaf(a, b)

    def _same_dict(self, a: generic.DictionaryObject, b: generic.DictionaryObject, depth: int) -> bool:
        if set(a.keys()) != set(b.keys()):
            return False
        return all(self.same(a.raw_get(k), b.raw_get(k), depth + 1) for k in sorted(a.keys()))


def _same_leaf(a: Any, b: Any) -> bool:
    """Names, strings, booleans, numbers (612 = 612.0) and nulls, each only equal to its own kind."""
    numbers = (generic.NumberObject, generic.FloatObject)
    if isinstance(a, numbers) or isinstance(b, numbers):
        return (
            isinstance(a, numbers)
            and isinstance(b, numbers)
            and decimal.Decimal(a).normalize() == decimal.Decimal(b).normalize()
        )
    if a is None or isinstance(a, generic.NullObject) or b is None or isinstance(b, generic.NullObject):
        return (a is None or isinstance(a, generic.NullObject)) and (
            b is None or isinstance(b, generic.NullObject)
        )
    strings = (generic.TextStringObject, generic.ByteStringObject)
    if isinstance(a, strings) or isinstance(b, strings):
        return (
            isinstance(a, strings)
            and isinstance(b, strings)
            and bytes(a.original_bytes) == bytes(b.original_bytes)
        )
    if isinstance(a, generic.NameObject) or isinstance(b, generic.NameObject):
        return isinstance(a, generic.NameObject) and isinstance(b, generic.NameObject) and str(a) == str(b)
    if isinstance(a, generic.BooleanObject) or isinstance(b, generic.BooleanObject):
        return (
            isinstance(a, generic.BooleanObject)
            and isinstance(b, generic.BooleanObject)
            and bool(a.value) == bool(b.value)
        )
    return False  # anything else is not known to be the same
