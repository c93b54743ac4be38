"""Validation data rewritten by a later LTV update: the DSS's /VRI entries may change.

pyHanko's DSS rule refuses a /VRI entry that a later revision changes or drops, and a /VRI
dictionary carrying its own ``/Type /VRI``. DSS (EU DSS), Adobe and iText write both when they
extend a signature to B-LT again (a VRI entry rewritten with more certificates, an old one
dropped, Adobe's typed VRI dictionary), so every earlier signature of such a file read
"modified" although DSS's own tests assert no change at all. The DSS is never displayed, and
sohoa does not read /VRI (only the DSS's /Certs, /CRLs and /OCSPs), so what a VRI entry says
cannot change a verdict either.

What is still checked, as pyHanko does for new entries: each changed or added key is a
40-character hash (or ``/Type`` with the value ``/VRI``), each entry is a dictionary with only
VRI keys whose DER entries are arrays of stream references, and every object it writes is new
or a dictionary rewritten in place at that one place of the DSS (an object the signed revision
also used elsewhere stays unexplained, so it cannot be smuggled into a page).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import SuspiciousModification, WhitelistRule
from pyhanko.sign.diff_analysis.commons import (
    TwoVersions,
    assert_not_stream,
    compare_key_refs,
    safe_whitelist,
)
from pyhanko.sign.diff_analysis.constants import VRI_KEY_PATTERN
from pyhanko.sign.diff_analysis.rules.form_field_rules import _validate_dss_substructure
from pyhanko.sign.diff_analysis.rules_api import Context, ReferenceUpdate

__all__ = ["VriUpdateRule"]

_DSS_DER_KEYS = {"/Certs", "/CRLs", "/OCSPs"}
_DSS_KEYS = {"/Type", "/VRI"} | _DSS_DER_KEYS
_VRI_DER_KEYS = {"/Cert", "/CRL", "/OCSP"}
_VRI_ENTRY_KEYS = {"/Type", "/TU", "/TS"} | _VRI_DER_KEYS


class VriUpdateRule(WhitelistRule):
    """pyHanko's DSS checks, with /VRI entries that may be rewritten or dropped."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[ReferenceUpdate]:
        dss_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS"))
        refs = compare_key_refs("/DSS", old, old.root, new.root)
        old_dss, new_dss = yield from _approved(refs, dss_context)
        if new_dss is None:
            return
        if old_dss is None:
            old_dss = generic.DictionaryObject()
        if not isinstance(old_dss, generic.DictionaryObject) or not isinstance(
            new_dss, generic.DictionaryObject
        ):
            raise SuspiciousModification("/DSS is not a dictionary")
        extra = set(new_dss.keys()) - _DSS_KEYS
        if extra:
            raise SuspiciousModification(f"Unexpected keys in DSS: {extra}.")
        yield from _validate_dss_substructure(
            old, new, old_dss, new_dss, _DSS_DER_KEYS, is_vri=False, context=dss_context
        )
        yield from _grown_in_place(old, new_dss, _DSS_DER_KEYS, set(new.explicit_refs_in_revision()))
        vri_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI"))
        old_vri, new_vri = yield from _approved(compare_key_refs("/VRI", old, old_dss, new_dss), vri_context)
        if new_vri is None:
            return  # a /VRI deleted outright: compare_key_refs refuses that
        if old_vri is None:
            old_vri = generic.DictionaryObject()
        if not isinstance(old_vri, generic.DictionaryObject) or not isinstance(
            new_vri, generic.DictionaryObject
        ):
            raise SuspiciousModification("/VRI is not a dictionary")
        yield from self._check_vri(old, new, old_vri, new_vri)

    @staticmethod
    def _check_vri(
        old: HistoricalResolver,
        new: HistoricalResolver,
        old_vri: generic.DictionaryObject,
        new_vri: generic.DictionaryObject,
    ) -> Iterator[ReferenceUpdate]:
        written = set(new.explicit_refs_in_revision())
        for key in new_vri:
            value = new_vri.raw_get(key)
            old_value = old_vri.raw_get(key) if key in old_vri else None
            rewritten = isinstance(value, generic.IndirectObject) and value.reference in written
            touched = old_value is None or value != old_value or rewritten
            if key == "/Type":
                if touched and not (isinstance(value, generic.NameObject) and value == "/VRI"):
                    raise SuspiciousModification(f"/VRI /Type is {value!r}, not /VRI")
                continue
            if touched and not VRI_KEY_PATTERN.match(key):
                raise SuspiciousModification(f"VRI key {key} is not formatted correctly.")
            context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI", key))
            entry = value
            if isinstance(value, generic.IndirectObject):
                if touched:
                    old_ref = old_value.reference if isinstance(old_value, generic.IndirectObject) else None
                    for ref in safe_whitelist(old, old_ref, value.reference):
                        yield ReferenceUpdate(ref, context_checked=context)
                entry = value.get_object()
            assert_not_stream(entry)
            if not isinstance(entry, generic.DictionaryObject):
                raise SuspiciousModification("VRI entries should be dictionaries")
            if not set(entry.keys()) <= _VRI_ENTRY_KEYS:
                raise SuspiciousModification(
                    f"Unexpected keys in VRI dictionary: {set(entry.keys()) - _VRI_ENTRY_KEYS}."
                )
            # an entry kept as it was may still have its arrays extended in place (DSS does)
            old_entry = old_value.get_object() if old_value is not None else generic.DictionaryObject()
            if not isinstance(old_entry, generic.DictionaryObject):
                old_entry = generic.DictionaryObject()
            yield from _validate_dss_substructure(
                old, new, old_entry, entry, _VRI_DER_KEYS, is_vri=True, context=context
            )
            yield from _grown_in_place(old, entry, _VRI_DER_KEYS, written)
            try:
                ts_ref = entry.get_value_as_reference("/TS", optional=True)
            except misc.IndirectObjectExpected:
                ts_ref = None
            if ts_ref is not None and old.is_ref_unassignable(ts_ref):  # an old one rewritten: unexplained
                if not isinstance(ts_ref.get_object(), generic.StreamObject):
                    raise SuspiciousModification("VRI /TS is not a stream")
                yield ReferenceUpdate(ts_ref)


def _approved(
    refs: Generator[generic.Reference, None, TwoVersions], context: Context
) -> Generator[ReferenceUpdate, None, TwoVersions]:
    """The references ``compare_key_refs`` clears, approved at ``context``; its two values."""
    while True:
        try:
            ref = next(refs)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        yield ReferenceUpdate(ref, context_checked=context)


def _grown_in_place(
    old: HistoricalResolver,
    holder: generic.DictionaryObject,
    keys: set[str],
    written: set[generic.Reference],
) -> Iterator[ReferenceUpdate]:
    """New streams appended to an array of DER streams that the update rewrote in place.

    pyHanko approves such an array (it stays an array of stream references) but does not look
    into an object older than the signed revision, so the certificates and CRLs just added to it
    went unexplained. Only streams new since the signed revision are approved here.
    """
    for key in keys:
        value = holder.raw_get(key) if key in holder else None
        if not isinstance(value, generic.IndirectObject) or value.reference not in written:
            continue
        if old.is_ref_unassignable(value.reference):
            continue  # a new array: pyHanko collected its contents already
        items = value.get_object()
        if not isinstance(items, generic.ArrayObject):
            raise SuspiciousModification(f"{key} in the DSS is not an array")
        for item in list.__iter__(items):
            if not isinstance(item, generic.IndirectObject):
                raise SuspiciousModification(f"{key} in the DSS holds a direct object")
            if old.is_ref_unassignable(item.reference):
                if not isinstance(item.get_object(), generic.StreamObject):
                    raise SuspiciousModification(f"{key} in the DSS holds something else than a stream")
                yield ReferenceUpdate(item.reference)
