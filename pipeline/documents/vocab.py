"""Closed vocabularies: a value that folds to exactly one entry gets the entry's spelling.

The 54 ethnic groups of Viet Nam (official list of the General Statistics Office) and the
nationalities seen at commune one-stop shops. OCR that loses a tone mark ("Tay" for "Tày") is
repaired, and the match itself is evidence the value was read right.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from pipeline.documents.folding import fold

ETHNIC_GROUPS = (
    "Kinh", "Tày", "Thái", "Hoa", "Khmer", "Khơ-me", "Mường", "Nùng", "Mông", "H'Mông", "Dao",
    "Gia Rai", "Ngái", "Ê Đê", "Ba Na", "Xơ Đăng", "Sán Chay", "Cơ Ho", "Chăm", "Sán Dìu", "Hrê",
    "Mnông", "Raglai", "Xtiêng", "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ Tu", "Giẻ Triêng", "Mạ",
    "Khơ Mú", "Co", "Tà Ôi", "Chơ Ro", "Kháng", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí",
    "La Ha", "Phù Lá", "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng", "Pà Thẻn", "Cơ Lao", "Cống",
    "Bố Y", "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
)
NATIONALITIES = ("Việt Nam", "Lào", "Campuchia", "Trung Quốc", "Hàn Quốc", "Nhật Bản", "Hoa Kỳ",
                 "Thái Lan", "Pháp", "Đức", "Úc", "Nga")


def _index(words: tuple[str, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for word in words:
        key = fold(word).replace(" ", "")
        out[key] = None if key in out and out[key] != word else word
    return out


_ETHNIC = _index(ETHNIC_GROUPS)
_NATIONAL = _index(NATIONALITIES)


def canonical(value: str, vocabulary: str) -> str | None:
    """The vocabulary entry ``value`` is, or starts with followed by a speck of noise."""
    index = _ETHNIC if vocabulary == "ethnicity" else _NATIONAL
    words = fold(value).split()
    for n in range(len(words), 0, -1):
        key = "".join(words[:n])
        found = index.get(key)
        rest = "".join(words[n:])
        if found and len(rest) <= 2:
            return found
    # A longer word one or two letters off ("Việt Nanj"), when nothing else is as close.
    key = "".join(words)
    if len(key) >= 5:
        scored = sorted(((fuzz.ratio(key, k), name) for k, name in index.items() if name), reverse=True)
        if scored and scored[0][0] >= 75 and (len(scored) < 2 or scored[1][0] < scored[0][0] - 15):
            return scored[0][1]
    return None


# Names of the procedures a commune one-stop shop receives, as the national catalogue and the
# laws write them: civil status (Luật Hộ tịch 2014, Nghị định 123/2015), residence (Luật Cư trú
# 2020: the CT01 form's own footnote lists "đăng ký thường trú; đăng ký tạm trú; tách hộ; xác
# nhận thông tin về cư trú"), certification (Nghị định 23/2015), land and household business.
PROCEDURE_NAMES = (
    "Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Đăng ký nhận cha, mẹ, con",
    "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", "Đăng ký giám hộ", "Đăng ký chấm dứt giám hộ",
    "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "Đăng ký lại khai sinh",
    "Đăng ký lại kết hôn", "Đăng ký lại khai tử", "Cấp bản sao trích lục hộ tịch",
    "Cấp Giấy xác nhận tình trạng hôn nhân", "Đăng ký thường trú", "Đăng ký tạm trú",
    "Xóa đăng ký thường trú", "Xóa đăng ký tạm trú", "Tách hộ", "Gia hạn tạm trú",
    "Khai báo tạm vắng", "Thông báo lưu trú", "Xác nhận thông tin về cư trú",
    "Điều chỉnh thông tin về cư trú", "Chứng thực bản sao từ bản chính", "Chứng thực chữ ký",
    "Chứng thực hợp đồng, giao dịch", "Đăng ký thành lập hộ kinh doanh",
    "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
)
_PROCEDURES = {fold(p).replace(" ", ""): p for p in PROCEDURE_NAMES}


def procedure_name(value: str) -> tuple[str, bool] | None:
    """(catalogue spelling, exact) of the procedure ``value`` names: ``exact`` when only marks,
    case, spaces or punctuation differ ("Tách hô", "Đăng ký- khai sinh"); otherwise the one entry
    a few letters off ("thông t1n vẽ cư :rủ"), clearly closer than any other; None when none is."""
    key = fold(value).replace(" ", "")
    if not key:
        return None
    found = _PROCEDURES.get(key)
    if found is not None:
        return found, True
    if len(key) < 8:
        return None
    scored = sorted(((fuzz.ratio(key, k), name) for k, name in _PROCEDURES.items()
                     if abs(len(k) - len(key)) <= 2), reverse=True)
    if scored and scored[0][0] >= 88 and (len(scored) < 2 or scored[1][0] <= scored[0][0] - 8):
        return scored[0][1], False
    return None
