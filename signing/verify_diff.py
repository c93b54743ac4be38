"""pyHanko's difference policy, adjusted to what the writers of real signed files do.

Form filling: a field's appearance may be a new stream or one rewritten in place (iText fills
that way, DSS's dss-1376 files); pyHanko approves the in-place stream only when nothing but that
field's /AP uses it. Either way a new appearance can draw anything inside the field's box, so
verify_content.py checks that it shows the field's value, whatever object it lives in. A choice
field's /I (selected indices) is part of its value; widgets that are separate kids of their
field are filled too (verify_form.py). LTV updates may rewrite the DSS's /VRI entries
(verify_dss.py). A new signature's widget may come with a page key re-pointed to an identical
copy of what it held (verify_pages.py). A signature added to a tagged file may record its
widget in the structure tree (verify_struct.py). verify_content.py then checks what is
displayed, independently of this object-level policy.
"""

from __future__ import annotations

from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DiffResult,
    DocInfoRule,
    FormUpdatingRule,
    GenericFieldModificationRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.constants import VALUE_UPDATE_KEYS
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm

from signing.verify_dss import VriUpdateRule
from signing.verify_form import WidgetKidFillRule
from signing.verify_pages import SigFieldCreationRule
from signing.verify_struct import StructTreeSignatureRule

__all__ = ["STRICT_DIFF_POLICY"]

#: a choice field's value is /V and the indices of its selected options, /I (ISO 32000-1 12.7.4.4)
_VALUE_UPDATE_KEYS = VALUE_UPDATE_KEYS | {"/I"}


class _DiffPolicy(StandardDiffPolicy):
    """pyHanko's policy; an update may free only object numbers the signed revision never had.

    DSS and iText free the objects of an earlier update's DSS or VRI when they rewrite it
    (DSS's test-with-vri.pdf); pyHanko refuses any freeing. Freeing an object the signed
    revision did not have cannot change what it displayed; freeing one it had still fails.
    """

    def apply(
        self,
        old: HistoricalResolver,
        new: HistoricalResolver,
        field_mdp_spec: FieldMDPSpec | None = None,
        doc_mdp: MDPPerm | None = None,
    ) -> DiffResult:
        existing = [ref for ref in new.refs_freed_in_revision() if not old.is_ref_unassignable(ref)]
        if existing:
            raise SuspiciousModification(
                f"The refs {existing} of the signed revision were freed in revision {new.revision}."
            )
        return super().apply(old, new, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)


STRICT_DIFF_POLICY = _DiffPolicy(
    global_rules=[
        CatalogModificationRule(),
        DocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        VriUpdateRule().as_qualified(ModificationLevel.LTA_UPDATES),
        MetadataUpdateRule().as_qualified(ModificationLevel.LTA_UPDATES),
        StructTreeSignatureRule(),
    ],
    form_rule=FormUpdatingRule(
        field_rules=[
            # signing is permitted after a P=2/P=3 certification; verify_stamps.py then accepts
            # the new signature's stamp only in blank space of the certified page
            SigFieldCreationRule(allow_new_visible_after_certify=True),
            SigFieldModificationRule(),
            GenericFieldModificationRule(value_update_keys=_VALUE_UPDATE_KEYS),
            WidgetKidFillRule(),
        ],
    ),
    reject_object_freeing=False,  # checked by _DiffPolicy.apply
)
