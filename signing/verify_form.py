"""Form filling that reaches a field's separate widget annotations (its /Kids).

pyHanko's form rule checks a field dictionary and, when field and widget are one object, its
appearance. A field whose widgets are separate kids (DocuSign, Acrobat with several widgets per
field) is filled by writing a new value on the field and a new appearance (and maybe /DA) on
each widget; pyHanko approves the field but never the widgets, so every such fill read as an
unexplained modification (DSS's DSS-3577.pdf, filled under P=3).

This rule approves a widget kid of a non-signature field only for what filling writes: its
appearance (new streams, or a stream rewritten in place that nothing else uses), its appearance
state, default appearance and quadding. Any other key changed on the widget, a widget added,
removed or re-parented, or the widget object used anywhere else than the field's /Kids, a page's
/Annots or the structure tree stays unexplained. verify_content then checks that what each
widget now shows is the field's value.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import RawPdfPath
from pyhanko.sign.diff_analysis import FieldComparisonContext, FieldMDPRule, FormUpdate, ModificationLevel
from pyhanko.sign.diff_analysis.commons import compare_dicts
from pyhanko.sign.diff_analysis.rules.form_field_rules import (
    _allow_appearance_update,
    _allow_in_place_appearance_update,
)
from pyhanko.sign.diff_analysis.rules_api import Context

__all__ = ["WidgetKidFillRule"]

#: what filling a field may write on one of its widgets (pyHanko's value keys, minus the field's own)
_WIDGET_FILL_KEYS = frozenset({"/AP", "/AS", "/DA", "/Q", "/Type"})
_MAX_DEPTH = 32


class WidgetKidFillRule(FieldMDPRule):
    """Approve the appearance updates of a filled field's separate widget annotations."""

    def apply(self, context: FieldComparisonContext) -> Iterator[tuple[ModificationLevel, FormUpdate]]:
        old, new = context.old, context.new
        written = set(new.explicit_refs_in_revision())
        for fq_name, spec in context.field_specs.items():
            if spec.field_type == "/Sig" or spec.old_field_ref is None or spec.new_field_ref is None:
                continue
            old_field, new_field = spec.old_field, spec.new_field
            if old_field is None or new_field is None:
                continue
            old_kids = _widget_kids(old_field)
            for ref, new_kid in _widget_kids(new_field).items():
                if ref not in written or ref not in old_kids:
                    continue  # untouched, or new (a widget added stays unexplained)
                old_kid = old_kids[ref]
                compare_dicts(old_kid, new_kid, _WIDGET_FILL_KEYS)  # raises on anything else
                for path in old._get_usages_of_ref(ref):
                    if _expected_widget_path(path):
                        yield (
                            ModificationLevel.FORM_FILLING,
                            FormUpdate(
                                ref, context_checked=Context.from_absolute(old, path), field_name=fq_name
                            ),
                        )
                for dep in _allow_appearance_update(old_kid, new_kid, old, new):
                    yield ModificationLevel.FORM_FILLING, FormUpdate(dep, field_name=fq_name)
                for upd in _allow_in_place_appearance_update(old_kid, new_kid, old, new, fq_name=fq_name):
                    yield ModificationLevel.FORM_FILLING, upd


def _widget_kids(field: generic.DictionaryObject) -> dict[generic.Reference, generic.DictionaryObject]:
    """A field's kids that are widgets (no /T of their own), by reference."""
    out: dict[generic.Reference, generic.DictionaryObject] = {}
    kids = field.get("/Kids")
    if not isinstance(kids, generic.ArrayObject):
        return out
    for item in list.__iter__(kids):
        if not isinstance(item, generic.IndirectObject):
            continue
        kid = item.get_object()
        if isinstance(kid, generic.DictionaryObject) and "/T" not in kid:
            out[item.reference] = kid
    return out


def _expected_widget_path(path: RawPdfPath) -> bool:
    """.Root.AcroForm.Fields[i](.Kids[j])*, .Root.Pages(.Kids[i])+.Annots[j], or the struct tree's /Obj."""
    p = list(path)
    if len(p) > 2 * _MAX_DEPTH or p[:1] != ["/Root"]:
        return False
    if p[1:3] == ["/AcroForm", "/Fields"]:
        return _pairs(p[3:], "/Kids", first_index=True)
    if p[1:2] == ["/Pages"] and len(p) >= 6 and p[-2] == "/Annots" and isinstance(p[-1], int):
        return _pairs(p[2:-2], "/Kids", first_index=False)
    return p[1:2] == ["/StructTreeRoot"] and p[-1] == "/Obj"


def _pairs(rest: list[str | int], key: str, *, first_index: bool) -> bool:
    """``rest`` is [i] + (key, j)* when first_index, else (key, j)+."""
    if first_index:
        if not rest or not isinstance(rest[0], int):
            return False
        rest = rest[1:]
    elif not rest:
        return False
    if len(rest) % 2:
        return False
    return all(rest[i] == key and isinstance(rest[i + 1], int) for i in range(0, len(rest), 2))
