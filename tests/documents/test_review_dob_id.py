"""A date of birth is read twice on a form that also carries the person's id: digits 4–6 of the
id encode the birth year. When the two disagree one is misread, and the date is flagged too
(before, only the id was), so a wrong date next to a right id is never accepted unchecked."""

from __future__ import annotations

from pipeline.documents.analyse import analyse_pages
from tests.documents.helpers import CT01_HEAD, make_page


def _form(dob: str, ident: str) -> list[str]:
    return [
        *CT01_HEAD,
        f"2. Ngày, tháng, năm sinh: {dob} 3. Giới tính: Nam",
        f"4. Số định danh cá nhân/CMND: {ident}",
        "5. Số điện thoại liên hệ: 0912345678 6. Email:",
        "7. Nơi thường trú: Thôn Đông, xã Phú Mỹ, huyện Phú Vang, tỉnh Thừa Thiên Huế",
        "14. Nội dung đề nghị: Đăng ký thường trú",
    ]


def test_date_of_birth_disagreeing_with_the_id_year_is_flagged() -> None:
    (doc,) = analyse_pages([make_page(_form("05/03/1965", "046085012345"), confidence=0.97, boxes=True)])
    dob = doc.fields["date_of_birth"]
    assert dob.value == "1965-03-05"
    assert dob.needs_review
    assert any("date_of_birth's year differs" in w for w in dob.warnings), dob.warnings


def test_date_of_birth_agreeing_with_the_id_year_is_not() -> None:
    (doc,) = analyse_pages([make_page(_form("05/03/1985", "046085012345"), confidence=0.97, boxes=True)])
    dob = doc.fields["date_of_birth"]
    assert dob.value == "1985-03-05"
    assert not dob.needs_review, dob.warnings
