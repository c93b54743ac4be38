"""pyHanko's difference policy, made stricter where sohoa's files never need the leeway.

pyHanko's default lets a form field's appearance stream be rewritten in place (some writers
do that when filling a field). An appearance rewritten in place can show anything, so for
ordinary form fields it is not accepted here; signature fields keep pyHanko's default
(Acrobat updates their appearance in place when it signs an existing field).
A signature added to a tagged file may also record its widget in the structure tree
(verify_struct.py). verify_content.py then checks what is displayed, independently of this
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

from signing.verify_dss import VriUpdateRule
from signing.verify_struct import StructTreeSignatureRule

__all__ = ["STRICT_DIFF_POLICY"]

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
            GenericFieldModificationRule(allow_in_place_appearance_stream_changes=False),
        ],
    ),
    reject_object_freeing=True,
)
