"""Mẫu CT01 filled in on the real blank (../shared/forms/CT01-blank.png), typed or by hand.

The blank is a 644 × 863 px render at 96 dpi; it is enlarged 3× (to about 288 dpi) and the values
are drawn at the fields' positions, measured on the blank (original pixels: x where the dotted
line starts, y of the dotted line). The 12-digit id goes one digit per printed box.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from PIL import Image

from tests.datagen import values as v
from tests.datagen.family2.layouts import Doc
from tests.datagen.family2.sheet import Run, Sheet, nfc

SCALE = 3
# key: (x start, dotted-line y, x end) in the blank's own pixels
_SLOTS = {
    "kinh_gui": (195, 104, 530),
    "full_name": (214, 125, 577),
    "dob_day": (228, 147, 260),
    "dob_month": (270, 147, 303),
    "dob_year": (318, 147, 378),
    "sex": (458, 147, 577),
    "phone": (228, 205, 378),
    "email": (434, 205, 577),
    "permanent": (196, 229, 577),
    "temporary": (178, 254, 577),
    "current": (190, 279, 577),
    "job": (270, 303, 577),
    "head_name": (270, 328, 398),
    "relation": (540, 328, 577),
    "request": (228, 381, 577),
}
_ID_BOXES = (286.5, 159, 569, 186)  # 12 boxes: left, top, right, bottom
_HEAD_ID_BOXES = (347.5, 338, 598.5, 365)
_REQUESTS = [
    "Đăng ký thường trú",
    "Đăng ký tạm trú",
    "Xác nhận thông tin về cư trú",
    "Điều chỉnh thông tin về cư trú",
    "Tách hộ",
]


def _find_shared() -> Path:
    repo = Path(__file__).resolve().parents[3]
    for base in (repo.parent / "shared", Path("/work/shared")):
        if (base / "forms" / "CT01-blank.png").is_file():
            return base
    raise FileNotFoundError("CT01-blank.png not found in ../shared/forms or /work/shared/forms")


def blank_path() -> Path:
    return _find_shared() / "forms" / "CT01-blank.png"


def blank_sheet(rng: random.Random) -> Sheet:
    src = Image.open(blank_path()).convert("RGB")
    big = src.resize((src.width * SCALE, src.height * SCALE), Image.Resampling.LANCZOS)
    s = Sheet(size=big.size, rng=rng)
    s.image.paste(big)
    return s


def ct01(rng: random.Random, filled: bool = True) -> Doc:
    s = blank_sheet(rng)
    hand = rng.random() < 0.4
    style = "hand" if hand else rng.choice(["times", "sans", "mono"])
    pts = 11.5 if not hand else 11.0
    person = v.random_person(rng, born_between=(date(1950, 1, 1), date(2006, 12, 31)))
    place = v.random_place(rng)
    fields: dict[str, str] = {}

    def put(slot: str, text: str, points: float = pts) -> None:
        x, y, x_end = _SLOTS[slot]
        room = (x_end - x) * SCALE - 12
        while points > 6.5 and s.width_of(text, style, points) * (1.2 if hand else 1.0) > room:
            points -= 0.5  # a clerk writes smaller to fit the dotted line
        px = points * 300 / 72
        s.row(y * SCALE - px * 1.05, [Run(text, style, points)], x0=x * SCALE + 6)

    if filled:
        put("kinh_gui", f"Công an {place.commune}, {place.district}", 10.5)
        name = person.name_upper if rng.random() < 0.6 else person.name
        put("full_name", name)
        d = person.date_of_birth
        put("dob_day", f"{d.day:02d}")
        put("dob_month", f"{d.month:02d}")
        put("dob_year", str(d.year))
        put("sex", person.sex)
        left, top, right, _bottom = _ID_BOXES
        w = (right - left) / 12
        for i, ch in enumerate(person.id_number):
            cx = (left + w * i + w / 2) * SCALE
            s.row((top + 3) * SCALE, [Run(ch, style, 12.5)], x0=cx - 18, record=False)
        s.rows.append(" ".join(person.id_number))
        phone = v.phone_number(rng)
        put("phone", phone)
        if rng.random() < 0.5:
            put("email", f"{v.plain(person.given).lower()}{rng.randint(10, 99)}@gmail.com", 10)
        put("permanent", person.residence, 10)
        if rng.random() < 0.3:
            put("current", person.residence, 10)
        put("job", rng.choice(["Nông dân", "Công nhân", "Giáo viên", "Kinh doanh tự do"]), 10.5)
        put("head_name", person.name_upper if rng.random() < 0.5 else v.random_person(rng).name_upper, 9.5)
        put("relation", "Chủ hộ" if rng.random() < 0.5 else "Con", 9)
        request = rng.choice(_REQUESTS)
        put("request", request)
        fields = {
            "full_name": name,
            "date_of_birth": d.isoformat(),
            "id_number": person.id_number,
            "phone": phone,
            "place_of_residence": person.residence,
            "procedure_name": request,
        }
    doc = Doc(
        "application_form",
        ("ct01-hand" if hand else "ct01-typed") if filled else "ct01-blank",
        [s.image],
        [s.text],
        {k: nfc(x) for k, x in fields.items()},
        handwritten=hand and filled,
    )
    return doc
