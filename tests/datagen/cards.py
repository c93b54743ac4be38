"""Citizen ID cards at real size (85.6 × 54 mm), front and back, in three generations:

* ``cccd_2016``: barcode card, "CĂN CƯỚC CÔNG DÂN", no MRZ on the back;
* ``cccd_2021``: chip card, same labels, 3×30 MRZ starting ``IDVNM`` on the back;
* ``cancuoc_2024``: "CĂN CƯỚC" (Law on Identification 2023), new labels, residence on the back, MRZ.

Chip cards (2021, 2024) carry a real QR code at the top right of the front (``datagen.qr``).
"""

from __future__ import annotations

import math
import random
from datetime import date

from PIL import ImageFont

from tests.datagen import values as v
from tests.datagen.canvas import CARD_PX, Canvas, font, pt, star_points
from tests.datagen.layouts import RenderedDocument
from tests.datagen.mrz import td1_lines
from tests.datagen.qr import cccd_payload, qr_image

VARIANTS = ("cccd_2016", "cccd_2021", "cancuoc_2024")
_TINTS: dict[str, list[tuple[int, int, int]]] = {  # pale card stock of each generation
    "cccd_2016": [(240, 238, 228), (236, 240, 232)],
    "cccd_2021": [(236, 242, 236), (232, 238, 244)],
    "cancuoc_2024": [(232, 238, 244), (238, 240, 246)],
}
_FEATURES = ["Nốt ruồi C:2cm dưới sau mép phải", "Sẹo chấm C:1cm trên trước đuôi mắt trái",
             "Nốt ruồi C:1,5cm trên trước cánh mũi phải", "Sẹo chấm C:3cm dưới trước cằm"]  # fmt: skip


def _expiry(dob: date, issued: date) -> date:
    """Cards must be renewed at 25, 40 and 60; one issued within 2 years of a milestone runs to the next."""
    age = issued.year - dob.year - ((issued.month, issued.day) < (dob.month, dob.day))
    for milestone in (25, 40, 60):
        if age < milestone - 2:
            return dob.replace(year=dob.year + milestone)
    raise ValueError("no expiry for this age")  # callers keep ages below 58


class _Card:
    """A card side with a cursor; label/value lines are recorded in the order they are drawn."""

    def __init__(self, rng: random.Random, scale: float, tint: tuple[int, int, int]) -> None:
        self.canvas = Canvas(CARD_PX, background=tint)
        self.rng = rng
        self.scale = scale
        self.x = 290
        self.y = 0.0
        self.fits_mrz = True  # set by the back: the MRZ must not overlap the text above it
        self._pattern(tint)

    def _pattern(self, tint: tuple[int, int, int]) -> None:
        shade = tuple(max(0, c - 14) for c in tint)
        w, h = CARD_PX
        phase = self.rng.uniform(0, 6)
        for k in range(0, h, 46):
            pts = [(x, k + 10 * math.sin(x / 60 + phase + k)) for x in range(0, w, 8)]
            self.canvas.draw.line(pts, fill=shade, width=2)  # type: ignore[arg-type]

    def f(self, size: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return font("lsans-bold" if bold else "lsans", size * self.scale)

    @property
    def lh(self) -> float:
        return pt(7.2 * self.scale) * 1.28

    def line(self, label: str, value: str = "", *, below: bool = False, x: float | None = None) -> None:
        x0 = self.x if x is None else x
        lab, val = self.f(7.2), self.f(7.8, bold=True)
        right = CARD_PX[0] - 25
        if not value:
            self.canvas.text((x0, self.y), label, lab)
            self.y += self.lh
            return
        if below:
            self.canvas.text((x0, self.y), label, lab)
            self.y += self.lh
            for chunk in self.canvas.wrap(value, val, right - x0 - 20):
                self.canvas.text((x0 + 20, self.y), chunk, val)
                self.y += self.lh
            return
        first = right - x0 - lab.getlength(label + " ")
        chunks = self.canvas.wrap(value, val, right - x0, first_width=first)
        if val.getlength(chunks[0]) > first:
            self.line(label, value, below=True, x=x)
            return
        self.canvas.runs((x0, self.y), [(label, lab), (chunks[0], val)])
        self.y += self.lh
        for chunk in chunks[1:]:
            self.canvas.text((x0, self.y), chunk, val)
            self.y += self.lh

    def pair(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        lab, val = self.f(7.2), self.f(7.8, bold=True)
        x = float(self.x)
        for i, (label, value) in enumerate((a, b)):
            if i:
                x += 40
            for text, fnt in ((label, lab), (value, val)):
                self.canvas.draw.text((x, self.y), text, font=fnt, fill=(0, 0, 0))
                x += fnt.getlength(text) + fnt.getlength(" ")
        self.canvas.lines.append(f"{a[0]} {a[1]} {b[0]} {b[1]}")
        self.y += self.lh

    def header(self, title: str, subtitle: str) -> None:
        d = self.canvas.draw
        d.ellipse((35, 30, 165, 160), fill=(200, 30, 35))
        d.polygon(star_points(100, 97, 48), fill=(250, 215, 30))
        cx = 590
        y = 22.0
        for text, size, bold in (("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 6.6, True),
                                 ("SOCIALIST REPUBLIC OF VIET NAM", 5.8, False),
                                 ("Độc lập - Tự do - Hạnh phúc", 6.6, True),
                                 ("Independence - Freedom - Happiness", 5.8, False)):  # fmt: skip
            self.canvas.text((cx, y), text, self.f(size, bold), align="center")
            y += pt(size * self.scale) * 1.3
        self.canvas.text((cx, y + 4), title, self.f(10.5, bold=True), align="center", fill=(190, 25, 30))
        y += pt(10.5 * self.scale) * 1.3 + 4
        self.canvas.text((cx, y), subtitle, self.f(6.2), align="center")
        y += pt(6.2 * self.scale) * 1.45
        self.y = y

    def photo(self) -> None:
        d = self.canvas.draw
        d.rectangle((40, 205, 255, 480), fill=(200, 205, 210), outline=(120, 120, 120), width=2)
        d.ellipse((100, 245, 195, 355), fill=(150, 150, 155))
        d.chord((65, 350, 230, 520), 180, 360, fill=(150, 150, 155))

    def fits(self, bottom: float) -> bool:
        return self.y <= bottom


def _front(
    rng: random.Random,
    variant: str,
    p: v.Person,
    expiry: date,
    scale: float,
    tint: tuple[int, int, int],
    issued: date,
) -> tuple[_Card, dict[str, str]]:
    card = _Card(rng, scale, tint)
    fields: dict[str, str] = {}
    if variant != "cccd_2016":  # chip cards carry the holder's data in a QR at the top right
        size = 128  # 10.8 mm, clear of the header's longest line
        card.canvas.image.paste(qr_image(cccd_payload(p, issued), size), (CARD_PX[0] - 12 - size, 26))
    if variant == "cancuoc_2024":
        card.header("CĂN CƯỚC", "IDENTITY CARD")
        card.photo()
        card.line("Số định danh cá nhân / Personal identification number:")
        card.canvas.text((card.x + 20, card.y), p.id_number, card.f(10, bold=True))
        card.y += card.lh * 1.3
        card.line("Họ, chữ đệm và tên khai sinh / Full name:", p.name_upper, below=True)
        card.line("Ngày, tháng, năm sinh / Date of birth:", v.fmt_date(p.date_of_birth))
        card.pair(("Giới tính / Sex:", p.sex), ("Quốc tịch / Nationality:", v.NATIONALITY))
        fields.update(id_number=p.id_number, full_name=p.name_upper, sex=p.sex,
                      date_of_birth=p.date_of_birth.isoformat(), nationality=v.NATIONALITY)  # fmt: skip
        return card, fields
    card.header("CĂN CƯỚC CÔNG DÂN", "Citizen Identity Card")
    card.photo()
    lab = card.f(7.2)
    card.canvas.runs((card.x, card.y), [("Số / No.:", lab), (p.id_number, card.f(10, bold=True))])
    card.y += card.lh * 1.3
    card.line("Họ và tên / Full name:", p.name_upper, below=True)
    card.line("Ngày sinh / Date of birth:", v.fmt_date(p.date_of_birth))
    card.pair(("Giới tính / Sex:", p.sex), ("Quốc tịch / Nationality:", v.NATIONALITY))
    card.line("Quê quán / Place of origin:", p.origin.text(), below=rng.random() < 0.5)
    card.line("Nơi thường trú / Place of residence:", p.residence)
    card.line("Có giá trị đến / Date of expiry:", v.fmt_date(expiry), x=40)
    fields.update(id_number=p.id_number, full_name=p.name_upper, date_of_birth=p.date_of_birth.isoformat(),
                  sex=p.sex, nationality=v.NATIONALITY, place_of_origin=p.origin.text(),
                  place_of_residence=p.residence, expiry_date=expiry.isoformat())  # fmt: skip
    return card, fields


def _back(
    rng: random.Random,
    variant: str,
    p: v.Person,
    issued: date,
    expiry: date,
    scale: float,
    tint: tuple[int, int, int],
) -> tuple[_Card, dict[str, str]]:
    card = _Card(rng, scale, tint)
    d = card.canvas.draw
    card.x = 40
    fields: dict[str, str] = {}
    if variant != "cccd_2016":  # the chip
        d.rounded_rectangle(
            (45, 40, 185, 150), radius=14, fill=(214, 180, 90), outline=(150, 120, 50), width=3
        )
    for x0 in (640, 820):  # fingerprints
        d.rectangle((x0, 30, x0 + 150, 210), outline=(110, 110, 110), width=2)
        for k in range(9):
            d.ellipse(
                (x0 + 30 + k * 5, 55 + k * 6, x0 + 120 - k * 5, 185 - k * 5), outline=(150, 150, 150), width=2
            )
    card.y = 225.0
    if variant == "cancuoc_2024":
        card.line("Nơi cư trú / Place of residence:", p.residence)
        card.line("Nơi đăng ký khai sinh / Place of birth:", p.origin.province)
        card.line("Ngày, tháng, năm cấp / Date of issue:", v.fmt_date(issued))
        card.line("Ngày, tháng, năm hết hạn / Date of expiry:", v.fmt_date(expiry))
        card.canvas.text((300, card.y), "BỘ CÔNG AN", card.f(7.2, bold=True), align="center")
        card.y += card.lh
        fields.update(
            place_of_residence=p.residence, issue_date=issued.isoformat(), expiry_date=expiry.isoformat()
        )
    else:
        card.line("Đặc điểm nhân dạng / Personal identification:", rng.choice(_FEATURES), below=True)
        card.line("Ngày, tháng, năm / Date, month, year:", v.fmt_date(issued))
        for text in ("CỤC TRƯỞNG CỤC CẢNH SÁT", "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI"):
            card.canvas.text((330, card.y), text, card.f(6.6, bold=True), align="center")
            card.y += card.lh * 0.95
        fields.update(issue_date=issued.isoformat())
    if variant != "cccd_2016":
        mono = font("mono", 11.2 * card.scale)
        y = CARD_PX[1] - 3 * pt(11.2 * card.scale) * 1.22 - 18
        card.fits_mrz = card.y <= y - 6
        for line in td1_lines(p, expiry):
            card.canvas.text((CARD_PX[0] / 2, y), line, mono, align="center")
            y += pt(11.2 * card.scale) * 1.22
    return card, fields


def cccd(rng: random.Random, variant: str | None = None) -> RenderedDocument:
    """Both sides as two pages: the usual way a card is scanned (or photocopied, see ``degrade``)."""
    variant = variant or rng.choice(VARIANTS)
    issued_range = {"cccd_2016": (date(2016, 6, 1), date(2020, 12, 31)),
                    "cccd_2021": (date(2021, 1, 1), date(2024, 6, 30)),
                    "cancuoc_2024": (date(2024, 7, 1), date(2026, 10, 31))}[variant]  # fmt: skip
    issued = v.random_date(rng, *issued_range)
    youngest = date(issued.year - 15, 1, 1)
    oldest = date(issued.year - 56, 1, 1)
    person = v.random_person(rng, born_between=(oldest, youngest))
    expiry = _expiry(person.date_of_birth, issued)
    tint = rng.choice(_TINTS[variant])
    state = rng.getstate()
    for scale in (1.0, 0.93, 0.86, 0.8, 0.75):
        rng.setstate(state)
        front, f_fields = _front(rng, variant, person, expiry, scale, tint, issued)
        back, b_fields = _back(rng, variant, person, issued, expiry, scale, tint)
        if front.fits(CARD_PX[1] - 12) and back.fits_mrz and back.fits(CARD_PX[1] - 12):
            break
    fields = {**f_fields, **b_fields}
    return RenderedDocument(
        doc_type="cccd",
        pages=[front.canvas.image, back.canvas.image],
        page_lines=[list(front.canvas.lines), list(back.canvas.lines)],
        fields={k: " ".join(val.split()) for k, val in fields.items()},
        seal_anchors=[None, None],
        variant=variant,
    )
