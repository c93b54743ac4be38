"""The legal bases a read of personal data may declare (Decree 13/2023/NĐ-CP).

A closed list, not free text: an access record a citizen is shown must say *why* in terms an
inspector can check, and a typo must not pass for a ground. Codes are stored (ASCII, stable);
staff read the Vietnamese labels. Rows written before the list existed hold free text: they stay
readable as written (``label_of`` answers None for them).

Sources: consent, Article 11; processing without consent, Article 17(1) points a–đ.

A code says which ground; ``legal_reference`` may add the specific text it rests on ("Luật Cư trú
2020, Điều 11"): free text, so it is checked (length, no control or format characters, which
could forge a line of the printed log or reorder it on screen) and stored NFC-normalised.
"""

from __future__ import annotations

import unicodedata

from storage.db.errors import BadInputError

MAX_REFERENCE = 255  # the column's length
# Control (Cc), format (Cf: bidi overrides, zero-width), line/paragraph separators, surrogates,
# private use and unassigned code points: none belongs in the name of a law.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})

# code -> Vietnamese label (what commune staff and citizens read)
LEGAL_BASES: dict[str, str] = {
    "consent": "Có sự đồng ý của chủ thể dữ liệu (Điều 11)",
    "contract": "Thực hiện nghĩa vụ theo hợp đồng của chủ thể dữ liệu theo quy định của luật (Điều 17.1.d)",
    "legal_obligation": "Thực hiện nghĩa vụ theo quy định của luật (Điều 17.1.đ)",
    "state_function": "Phục vụ hoạt động của cơ quan nhà nước đã được quy định theo luật chuyên ngành "
    "(Điều 17.1.đ)",
    "vital_interest": "Bảo vệ tính mạng, sức khỏe của chủ thể dữ liệu hoặc người khác "
    "trong tình huống khẩn cấp (Điều 17.1.a)",
    "public_disclosure": "Công khai dữ liệu cá nhân theo quy định của luật (Điều 17.1.b)",
    "emergency": "Tình trạng khẩn cấp về quốc phòng, an ninh quốc gia, trật tự an toàn xã hội, thảm họa lớn, "
    "dịch bệnh nguy hiểm (Điều 17.1.c)",
}


def check_legal_basis(raw: str | None) -> str | None:
    """The declared basis as its code, or None; an unknown value is refused with the list."""
    if not raw:
        return None
    value = raw.strip().lower()
    if not value:
        return None
    if value not in LEGAL_BASES:
        raise BadInputError(
            "Căn cứ pháp lý không có trong danh mục Nghị định 13/2023/NĐ-CP (unknown legal basis); "
            "dùng một trong: " + ", ".join(LEGAL_BASES)
        )
    return value


def label_of(code: str | None) -> str | None:
    """The Vietnamese label of a stored code; None for no basis or a free-text row of before."""
    return LEGAL_BASES.get(code) if code else None


def check_legal_reference(raw: str | None) -> str | None:
    """The cited law and article (NFC, outer blanks stripped) or None; refused when too long or
    holding a control or format character."""
    if not raw:
        return None
    value = unicodedata.normalize("NFC", raw).strip()
    if not value:
        return None
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise BadInputError(
            "Căn cứ cụ thể chứa ký tự điều khiển (control characters in the legal reference)"
        )
    if len(value) > MAX_REFERENCE:
        raise BadInputError(
            f"Căn cứ cụ thể dài quá {MAX_REFERENCE} ký tự (legal reference too long)"
        )
    return value
