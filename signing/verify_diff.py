"""pyHanko's difference policy, adjusted to what the writers of real signed files do.

Form filling: a field's appearance may be a new stream or one rewritten in place (iText fills
that way, DSS's dss-1376 files); pyHanko approves the in-place stream only when nothing but that
field's /AP uses it. Either way a new appearance can draw anything inside the field's box, so
verify_content.py checks that it shows the field's value, whatever object it lives in. A choice
field's /I (selected indices) is part of its value; widgets that are separate kids of their
field are filled too (verify_form.py). LTV updates may rewrite the DSS's /VRI entries
(verify_dss.py). A signature added to a tagged file may record its widget in the structure
tree (verify_struct.py). verify_content.py then checks what is displayed, independently of this
object-level policy.
"""

from __future__ import annotations

from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DocInfoRule,
    FormUpdatingRule,
    GenericFieldModificationRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.constants import VALUE_UPDATE_KEYS

from signing.verify_dss import VriUpdateRule
from signing.verify_form import WidgetKidFillRule
from signing.verify_struct import StructTreeSignatureRule

__all__ = ["STRICT_DIFF_POLICY"]

#: a choice field's value is /V and the indices of its selected options, /I (ISO 32000-1 12.7.4.4)
_VALUE_UPDATE_KEYS = VALUE_UPDATE_KEYS | {"/I"}

STRICT_DIFF_POLICY = StandardDiffPolicy(
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
            SigFieldCreationRule(allow_new_visible_after_certify=False),
            SigFieldModificationRule(),
            GenericFieldModificationRule(value_update_keys=_VALUE_UPDATE_KEYS),
            WidgetKidFillRule(),
        ],
    ),
    reject_object_freeing=True,
)
