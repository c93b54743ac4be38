"""Anything not recognised: text only, no fields; still digitised, stored and signed.

A document left as ``other`` always goes to a clerk, who may retype it: nothing checks it.
"""

from __future__ import annotations

from pipeline.documents.spec import DocTypeSpec, DocumentType

# Titles of documents sohoa does not extract from (they still start a new document).
OTHER_TITLES = (
    "THÔNG BÁO",
    "BIÊN BẢN",
    "KẾ HOẠCH",
    "GIẤY MỜI",
    "QUYẾT ĐỊNH",
    "BÁO CÁO",
    "TỜ TRÌNH",
    "CÔNG VĂN",
    "GIẤY XÁC NHẬN",
    "GIẤY ỦY QUYỀN",
    "HỢP ĐỒNG",
)

SPEC = DocTypeSpec("other", titles=OTHER_TITLES, fields=())
TYPE = DocumentType(SPEC, display_name="Giấy tờ khác", gloss="other document", review_always=True)
