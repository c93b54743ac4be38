"""Family 2 templates, following the real forms rather than family 1's layouts.

* birth certificate: Thông tư 04/2020/TT-BTP, green security paper, "ghi bằng chữ" beside the date,
  parents' "Năm sinh … Dân tộc … Quốc tịch" on one line, the declarant's id as a trap;
* marriage certificate: the two-column "Chồng | Vợ" table, or stacked "… người chồng/vợ" labels;
* land certificates: the 2014 layout (section I "Ông: …, sinh năm …, CCCD số: …", section II
  "a) Thửa đất số …, tờ bản đồ số …") on two pages, and the 2024 one-page layout
  ("1. Người sử dụng đất: Ông/Bà NAME, CCCD số NUMBER");
* household-business and enterprise certificates with numbered items;
* CCCD (2021 chip card) and the 2024 "Thẻ căn cước", both sides on one A4 photocopy;
* "ĐƠN XIN …" letters (typed or handwritten values); CT01 lives in ``ct01``;
* UBND letters and notices: ``other``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image, ImageDraw

from tests.datagen import values as v
from tests.datagen.family2.sheet import A4, Run, Sheet, border, guilloche, nfc
from tests.datagen.mrz import td1_lines
from tests.datagen.words import date_words


@dataclass
class Doc:
    doc_type: str
    variant: str
    pages: list[Image.Image]
    page_texts: list[str]
    fields: dict[str, str]
    handwritten: bool = False
    notes: list[str] = field(default_factory=list)


L = Run  # a label run: Run(text) uses the label face


def _val(
    text: str, style: str, points: float = 12.0, dots_to: float | None = None, x: float | None = None
) -> Run:
    return Run(text, style, points, x=x, dots_to=dots_to)


def _typed_style(rng: random.Random) -> str:
    return rng.choice(["mono", "sans", "sans-bold", "times-bold", "times"])


def _motto(s: Sheet, y: float, cx: float | None = None, points: float = 12.5) -> float:
    s.centred(y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "label-bold", points, cx)
    s.centred(y + 70, "Độc lập - Tự do - Hạnh phúc", "label-bold", points, cx)
    return y + 170


def _two_col_header(s: Sheet, y: float, left: list[str], points: float = 11.5) -> float:
    """Issuing body on the left, the national motto on the right (administrative letters)."""
    lx, rx = 560, 1700
    for i, text in enumerate(left):
        style, size = ("label-bold" if i else "label"), points
        while s.width_of(text, style, size) > 1000 and size > 7:
            size -= 0.5
        s.centred(y + i * 62, text, style, size, lx, record=False)
    s.centred(y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "label-bold", points, rx, record=False)
    s.centred(y + 62, "Độc lập - Tự do - Hạnh phúc", "label-bold", points, rx, record=False)
    # Reading order of Tesseract is column by column; the truth text keeps both.
    s.rows.extend([left[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", *left[1:], "Độc lập - Tự do - Hạnh phúc"])
    return y + max(len(left), 2) * 62 + 110


def _ubnd(place: v.Place) -> str:
    return f"ỦY BAN NHÂN DÂN {v.upper(place.commune)}"


def _short_addr(rng: random.Random) -> str:
    return v.random_address(rng)


# --------------------------------------------------------------------------- birth certificate
def birth_certificate(rng: random.Random) -> Doc:
    s = Sheet(paper=(222, 238, 214), rng=rng)
    guilloche(s.image, rng, (200, 224, 192))
    border(s.image, (120, 170, 110))
    place = v.random_place(rng)
    child = v.random_person(rng, born_between=(date(2016, 1, 1), date(2025, 6, 30)))
    mother = v.random_person(
        rng, "Nữ", born_between=(date(1975, 1, 1), date(2000, 12, 31)), residence=child.residence
    )
    father = v.random_person(
        rng,
        "Nam",
        born_between=(date(1970, 1, 1), date(2000, 12, 31)),
        family=child.family,
        residence=child.residence,
    )
    child = v.Person(
        child.family if rng.random() < 0.9 else mother.family,
        child.middle,
        child.given,
        child.sex,
        child.date_of_birth,
        child.ethnicity,
        child.origin,
        child.residence,
        child.id_number,
    )
    style = _typed_style(rng)
    y = _motto(s, 260)
    s.centred(y, "GIẤY KHAI SINH", "label-bold", 20)
    y += 150
    number = str(rng.randint(1, 480))
    book = f"{rng.randint(1, 9):02d}/{child.date_of_birth.year + rng.randint(0, 1)}"
    s.row(y, [L("Số:"), _val(number, style, dots_to=900), L("Quyển số:", x=1450), _val(book, style)])
    y += 120
    step, right = 92, 2290
    s.row(y, [L("Họ, chữ đệm, tên:"), _val(child.name_upper, style, dots_to=right)])
    y += step
    s.row(y, [L("Ngày, tháng, năm sinh:"), _val(v.fmt_date(child.date_of_birth), style)])
    y += step
    s.row(
        y,
        [
            L("ghi bằng chữ:", "label-italic", 11),
            _val(date_words(child.date_of_birth), style, 11, dots_to=right),
        ],
        x0=240,
    )
    y += step
    s.row(
        y,
        [
            L("Giới tính:"),
            _val(child.sex, style),
            L("Dân tộc:", x=900),
            _val(child.ethnicity, style),
            L("Quốc tịch:", x=1500),
            _val(v.NATIONALITY, style),
        ],
    )
    y += step
    birthplace = (
        f"Trạm Y tế {place.commune}, {place.district}, {place.province}"
        if rng.random() < 0.5
        else f"Bệnh viện đa khoa {place.province}"
    )
    s.row(y, [L("Nơi sinh:"), _val(birthplace, style, dots_to=right)])
    y += step
    origin = f"{child.origin.commune}, {child.origin.district}, {child.origin.province}"
    s.row(y, [L("Quê quán:"), _val(origin, style, dots_to=right)])
    y += step
    s.row(y, [L("Số định danh cá nhân:"), _val(child.id_number, style, dots_to=1400)])
    y += step + 40
    for who, person in (("mẹ", mother), ("cha", father)):
        s.row(y, [L(f"Họ, chữ đệm, tên người {who}:"), _val(person.name_upper, style, dots_to=right)])
        y += step
        s.row(
            y,
            [
                L("Năm sinh:"),
                _val(str(person.date_of_birth.year), style),
                L("Dân tộc:", x=900),
                _val(person.ethnicity, style),
                L("Quốc tịch:", x=1500),
                _val(v.NATIONALITY, style),
            ],
        )
        y += step
        s.row(y, [L("Nơi cư trú:"), _val(person.residence, style, 11, dots_to=right)])
        y += step + 30
    declarant = rng.choice([mother, father])
    s.row(y, [L("Họ, chữ đệm, tên người đi khai sinh:"), _val(declarant.name, style)])
    y += step
    s.row(y, [L("Giấy tờ tùy thân:"), _val(f"CCCD số {declarant.id_number}", style)])
    y += step
    s.row(
        y,
        [L("Nơi đăng ký khai sinh:"), _val(f"Ủy ban nhân dân {place.commune}, {place.district}", style, 11)],
    )
    y += step
    reg = child.date_of_birth + timedelta(days=rng.randint(3, 50))
    s.row(y, [L("Ngày, tháng, năm đăng ký:"), _val(v.fmt_date(reg), style)])
    y += step + 60
    s.centred(y, "NGƯỜI KÝ GIẤY KHAI SINH", "label-bold", 12, 1750)
    s.centred(y + 64, "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", "label-italic", 10.5, 1750)
    signer = v.random_person(rng)
    s.centred(y + 330, signer.name, "label-bold", 12, 1750)
    fields = {
        "registration_number": number,
        "registration_book": book,
        "full_name": child.name_upper,
        "date_of_birth": child.date_of_birth.isoformat(),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "nationality": v.NATIONALITY,
        "place_of_birth": birthplace,
        "place_of_origin": origin,
        "id_number": child.id_number,
        "mother_name": mother.name_upper,
        "father_name": father.name_upper,
    }
    return Doc("birth_certificate", "tt04-2020-green", [s.image], [s.text], fields)


# --------------------------------------------------------------------------- marriage certificate
def marriage_certificate(rng: random.Random) -> Doc:
    s = Sheet(paper=(252, 246, 232), rng=rng)
    border(s.image, (170, 60, 60))
    place = v.random_place(rng)
    husband = v.random_person(rng, "Nam", born_between=(date(1965, 1, 1), date(2003, 12, 31)))
    wife = v.random_person(rng, "Nữ", born_between=(date(1968, 1, 1), date(2004, 12, 31)))
    style = _typed_style(rng)
    y = _motto(s, 260)
    s.centred(y, "GIẤY CHỨNG NHẬN KẾT HÔN", "label-bold", 19)
    y += 150
    number = str(rng.randint(1, 300))
    reg = v.random_date(rng, date(2021, 1, 1), date(2025, 12, 1))
    book = f"{rng.randint(1, 6):02d}/{reg.year}"
    s.row(y, [L("Số:"), _val(number, style), L("Quyển số:", x=1450), _val(book, style)])
    y += 140
    fields: dict[str, str] = {
        "registration_number": number,
        "registration_book": book,
        "registration_date": reg.isoformat(),
    }
    two_col = rng.random() < 0.5
    for prefix, person in (("husband_", husband), ("wife_", wife)):
        fields.update(
            {
                prefix + "name": person.name_upper,
                prefix + "date_of_birth": person.date_of_birth.isoformat(),
                prefix + "ethnicity": person.ethnicity,
                prefix + "nationality": v.NATIONALITY,
                prefix + "place_of_residence": person.residence,
                prefix + "id_number": person.id_number,
            }
        )
    pt = 11.0
    if two_col:
        cols = ((200, "Thông tin người chồng", husband), (1290, "Thông tin người vợ", wife))
        s.row(
            y,
            [
                L(cols[0][1], "label-bold", 12, x=cols[0][0] + 200),
                L(cols[1][1], "label-bold", 12, x=cols[1][0] + 200),
            ],
        )
        y += 110
        specs = [
            ("Họ, chữ đệm, tên:", lambda p: p.name_upper, True),
            ("Ngày, tháng, năm sinh:", lambda p: v.fmt_date(p.date_of_birth), False),
            ("Dân tộc:", lambda p: p.ethnicity, False),
            ("Quốc tịch:", lambda p: v.NATIONALITY, False),
            ("Số định danh cá nhân:", lambda p: p.id_number, True),
        ]
        for label, get, below in specs:
            if below:
                s.row(y, [L(label, points=pt, x=cols[0][0]), L(label, points=pt, x=cols[1][0])])
                y += 78
                s.row(
                    y,
                    [
                        _val(get(husband), style, pt, x=cols[0][0] + 30),
                        _val(get(wife), style, pt, x=cols[1][0] + 30),
                    ],
                )
            else:
                s.row(
                    y,
                    [
                        L(label, points=pt, x=cols[0][0]),
                        _val(get(husband), style, pt),
                        L(label, points=pt, x=cols[1][0]),
                        _val(get(wife), style, pt),
                    ],
                )
            y += 92
        # Addresses are long: each column wraps its own, label above.
        s.row(y, [L("Nơi cư trú:", points=pt, x=cols[0][0]), L("Nơi cư trú:", points=pt, x=cols[1][0])])
        y += 78
        halves = [_wrap_two(p.residence) for p in (husband, wife)]
        for line_no in range(2):
            s.row(y, [_val(halves[0][line_no], style, 9.5, x=cols[0][0] + 30),
                      _val(halves[1][line_no], style, 9.5, x=cols[1][0] + 30)])
            y += 66
        y += 70
    else:
        for who, person in (("chồng", husband), ("vợ", wife)):
            s.row(y, [L(f"Họ, chữ đệm, tên người {who}:"), _val(person.name_upper, style, 12, dots_to=2290)])
            y += 90
            s.row(
                y,
                [
                    L("Ngày, tháng, năm sinh:", points=pt),
                    _val(v.fmt_date(person.date_of_birth), style, pt),
                    L("Dân tộc:", points=pt, x=1250),
                    _val(person.ethnicity, style, pt),
                    L("Quốc tịch:", points=pt, x=1750),
                    _val(v.NATIONALITY, style, pt),
                ],
            )
            y += 90
            s.row(y, [L("Nơi cư trú:", points=pt), _val(person.residence, style, pt, dots_to=2290)])
            y += 90
            s.row(
                y,
                [
                    L("Giấy tờ tùy thân:", points=pt),
                    _val(f"CCCD số {person.id_number}", style, pt),
                ],
            )
            fields[("husband_" if who == "chồng" else "wife_") + "id_number"] = person.id_number
            y += 130
    s.row(y, [L("Nơi đăng ký kết hôn:"), _val(f"Ủy ban nhân dân {place.commune}", style)])
    y += 92
    s.row(
        y,
        [
            L("Ngày, tháng, năm đăng ký:"),
            _val(v.fmt_date_words(reg) if rng.random() < 0.4 else v.fmt_date(reg), style),
        ],
    )
    y += 160
    s.row(
        y,
        [
            L("Chồng", "label-bold", x=420),
            L("Vợ", "label-bold", x=1050),
            L("NGƯỜI KÝ GIẤY CHỨNG NHẬN KẾT HÔN", "label-bold", 11, x=1400),
        ],
    )
    return Doc("marriage_certificate", "two-column" if two_col else "stacked", [s.image], [s.text], fields)


def _wrap_two(address: str) -> tuple[str, str]:
    """An address set in a narrow column: two lines, broken after the comma nearest the middle."""
    parts = address.split(", ")
    best = min(range(1, len(parts)), key=lambda k: abs(len(", ".join(parts[:k])) - len(address) / 2))
    return ", ".join(parts[:best]) + ",", ", ".join(parts[best:])


# --------------------------------------------------------------------------- land certificates
def _registry_number(rng: random.Random) -> str:
    head = rng.choice(["CS", "CH", "CT", "DC"])
    return f"{head}{rng.choice(['', ' '])}{rng.randint(1, 99999):05d}"


def _area(rng: random.Random) -> tuple[str, str]:
    area = rng.choice([round(rng.uniform(40, 600), 1), float(rng.randint(50, 900))])
    return v.fmt_area(area)


def land_2014(rng: random.Random) -> Doc:
    place = v.random_place(rng)
    holder = v.random_person(rng, born_between=(date(1945, 1, 1), date(1995, 12, 31)))
    style = _typed_style(rng)
    p1 = Sheet(paper=(250, 232, 232), rng=rng)
    guilloche(p1.image, rng, (240, 214, 214), spacing=46)
    border(p1.image, (190, 90, 90))
    y = _motto(p1, 300)
    p1.centred(y, "GIẤY CHỨNG NHẬN", "label-bold", 20)
    p1.centred(y + 110, "QUYỀN SỬ DỤNG ĐẤT", "label-bold", 15)
    p1.centred(y + 190, "QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", "label-bold", 13)
    y += 380
    p1.row(
        y, [L("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", "label-bold", 11.5)]
    )
    y += 110
    honor = "Ông" if holder.sex == "Nam" else "Bà"
    p1.row(
        y,
        [
            L(f"{honor}:"),
            _val(f"{holder.name_upper},", style),
            L("sinh năm"),
            _val(f"{holder.date_of_birth.year},", style),
        ],
    )
    y += 92
    p1.row(
        y,
        [
            L("CCCD số:"),
            _val(f"{holder.id_number};", style),
            L("Địa chỉ thường trú:"),
            _val(holder.residence.split(",")[0] + ",", style, 11),
        ],
    )
    y += 92
    p1.row(y, [_val(", ".join(holder.residence.split(",")[1:]).strip(), style, 11)], x0=260)
    serial = v.land_serial(rng)
    p1.centred(3050, serial, "times-bold", 16)
    p2 = Sheet(paper=(252, 240, 240), rng=rng)
    border(p2.image, (190, 90, 90))
    y = 260
    p2.row(y, [L("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "label-bold", 12)])
    y += 110
    p2.row(y, [L("1. Thửa đất:", "label-bold")])
    y += 92
    parcel, sheet_no = str(rng.randint(1, 999)), str(rng.randint(1, 99))
    p2.row(
        y,
        [L("a) Thửa đất số:"), _val(parcel + ",", style), L("tờ bản đồ số:"), _val(sheet_no + ";", style)],
        x0=240,
    )
    y += 92
    land_address = v.random_address(rng, place)
    p2.row(y, [L("b) Địa chỉ:"), _val(land_address + ";", style, 11)], x0=240)
    y += 92
    printed, area = _area(rng)
    p2.row(
        y,
        [
            L("c) Diện tích:"),
            _val(f"{printed} m²", style),
            L("(bằng chữ:"),
            _val(f"{printed.replace(',', ' phẩy ')} mét vuông);", style, 10),
        ],
        x0=240,
    )
    y += 92
    for label, value in (
        ("d) Hình thức sử dụng:", "Sử dụng riêng"),
        ("đ) Mục đích sử dụng:", rng.choice(["Đất ở tại nông thôn", "Đất ở tại đô thị"])),
        ("e) Thời hạn sử dụng:", "Lâu dài"),
        ("g) Nguồn gốc sử dụng:", "Nhà nước giao đất có thu tiền sử dụng đất"),
    ):
        p2.row(y, [L(label), _val(value, style, 11)], x0=240)
        y += 92
    p2.row(y, [L("2. Nhà ở:", "label-bold"), L("-")])
    y += 92
    p2.row(y, [L("3. Công trình xây dựng khác:", "label-bold"), L("-")])
    y += 92
    p2.row(y, [L("4. Ghi chú:", "label-bold"), L("không")])
    y += 200
    registry = _registry_number(rng)
    p2.row(y, [L("Số vào sổ cấp GCN:"), _val(registry, style)])
    fields = {
        "certificate_serial": serial,
        "holder_name": holder.name_upper,
        "holder_id_number": holder.id_number,
        "parcel_number": parcel,
        "map_sheet_number": sheet_no,
        "land_address": land_address,
        "area_m2": area,
        "registry_number": registry,
    }
    return Doc("land_use_certificate", "2014", [p1.image, p2.image], [p1.text, p2.text], fields)


def land_2024(rng: random.Random) -> Doc:
    place = v.random_place(rng)
    holder = v.random_person(rng, born_between=(date(1945, 1, 1), date(2000, 12, 31)))
    style = _typed_style(rng)
    s = Sheet(paper=(255, 250, 238), rng=rng)
    border(s.image, (200, 150, 60))
    y = _motto(s, 240)
    s.centred(y, "GIẤY CHỨNG NHẬN", "label-bold", 18)
    s.centred(y + 95, "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT", "label-bold", 12.5)
    _qr_like(s.image, rng, (1980, 230), 300)
    y += 230
    serial = v.land_serial(rng)
    s.row(y, [L("Số phát hành:"), _val(serial, "times-bold", 13)], x0=1300)
    y += 130
    honor = rng.choice(["Ông/Bà", "Ông" if holder.sex == "Nam" else "Bà"])
    s.row(
        y,
        [
            L("1. Người sử dụng đất:", "label-bold"),
            _val(f"{honor} {holder.name_upper},", style),
            L("CCCD số"),
            _val(holder.id_number, style),
        ],
    )
    y += 92
    s.row(y, [L("Địa chỉ thường trú:"), _val(holder.residence, style, 11)], x0=240)
    y += 130
    s.row(y, [L("2. Thông tin thửa đất:", "label-bold")])
    y += 92
    parcel, sheet_no = str(rng.randint(1, 999)), str(rng.randint(1, 120))
    s.row(
        y, [L("Thửa đất số:"), _val(parcel + ";", style), L("Tờ bản đồ số:"), _val(sheet_no, style)], x0=240
    )
    y += 92
    printed, area = _area(rng)
    s.row(y, [L("Diện tích:"), _val(f"{printed} m²", style)], x0=240)
    y += 92
    s.row(
        y,
        [
            L("Mục đích sử dụng:"),
            _val(rng.choice(["Đất ở tại nông thôn", "Đất trồng cây lâu năm"]), style, 11),
        ],
        x0=240,
    )
    y += 92
    s.row(y, [L("Thời hạn sử dụng:"), _val("Lâu dài", style, 11)], x0=240)
    y += 92
    land_address = v.random_address(rng, place)
    s.row(y, [L("Địa chỉ:"), _val(land_address, style, 11)], x0=240)
    y += 130
    s.row(y, [L("3. Tài sản gắn liền với đất:", "label-bold"), L("Không")])
    y += 92
    s.row(y, [L("4. Ghi chú:", "label-bold"), L("-")])
    y += 250
    registry = _registry_number(rng)
    s.row(y, [L("Số vào sổ cấp GCN:"), _val(registry, style)])
    fields = {
        "certificate_serial": serial,
        "holder_name": holder.name_upper,
        "holder_id_number": holder.id_number,
        "parcel_number": parcel,
        "map_sheet_number": sheet_no,
        "land_address": land_address,
        "area_m2": area,
        "registry_number": registry,
    }
    return Doc("land_use_certificate", "2024", [s.image], [s.text], fields)


def _qr_like(img: Image.Image, rng: random.Random, xy: tuple[int, int], size: int) -> None:
    """A QR-looking block (finder squares and modules); not decodable (h5-qr owns real QRs)."""
    draw = ImageDraw.Draw(img)
    x0, y0 = xy
    n = 25
    m = size / n
    for i in range(n):
        for j in range(n):
            if rng.random() < 0.5:
                draw.rectangle((x0 + i * m, y0 + j * m, x0 + (i + 1) * m, y0 + (j + 1) * m), fill=(0, 0, 0))
    for fx, fy in ((0, 0), (n - 7, 0), (0, n - 7)):
        draw.rectangle((x0 + fx * m, y0 + fy * m, x0 + (fx + 7) * m, y0 + (fy + 7) * m), fill=(255, 255, 255))
        draw.rectangle(
            (x0 + fx * m, y0 + fy * m, x0 + (fx + 7) * m, y0 + (fy + 7) * m), outline=(0, 0, 0), width=int(m)
        )
        draw.rectangle(
            (x0 + (fx + 2) * m, y0 + (fy + 2) * m, x0 + (fx + 5) * m, y0 + (fy + 5) * m), fill=(0, 0, 0)
        )


def land_use_certificate(rng: random.Random) -> Doc:
    return land_2014(rng) if rng.random() < 0.45 else land_2024(rng)


# --------------------------------------------------------------------------- business
_TRADES = [
    "Bán lẻ tạp hóa",
    "Dịch vụ ăn uống",
    "Sửa chữa xe máy",
    "Bán lẻ vật liệu xây dựng",
    "Kinh doanh cà phê, giải khát",
    "May mặc",
]


def business_registration(rng: random.Random) -> Doc:
    place = v.random_place(rng)
    owner = v.random_person(rng, born_between=(date(1960, 1, 1), date(2000, 12, 31)))
    style = _typed_style(rng)
    s = Sheet(rng=rng)
    code = v.enterprise_code(rng, place.province_code)
    first = v.random_date(rng, date(2012, 1, 1), date(2025, 10, 1))
    household = rng.random() < 0.55
    if household:
        y = _two_col_header(s, 220, [f"UBND {v.upper(place.district)}", "PHÒNG TÀI CHÍNH - KẾ HOẠCH"])
        s.centred(y, "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "label-bold", 15)
        y += 150
        s.row(y, [L("Mã số hộ kinh doanh:"), _val(code, style, 13)], x0=700)
        y += 92
        s.row(y, [L("Đăng ký lần đầu:"), _val(v.fmt_date_words(first), style)], x0=700)
        y += 150
        name = f"HỘ KINH DOANH {rng.choice(['TẠP HÓA', 'CỬA HÀNG', 'QUÁN'])} {v.upper(owner.given)}"
        s.row(y, [L("1. Tên hộ kinh doanh:"), _val(name, style)])
        y += 92
        address = v.random_address(rng, place)
        s.row(y, [L("2. Địa chỉ địa điểm kinh doanh:"), _val(address, style, 11)])
        y += 92
        s.row(y, [L("Điện thoại:"), _val(v.phone_number(rng), style), L("Email:", x=1300), L("-")], x0=260)
        y += 92
        s.row(y, [L("3. Ngành, nghề kinh doanh:"), _val(rng.choice(_TRADES), style)])
        y += 92
        s.row(y, [L("4. Vốn kinh doanh:"), _val(f"{rng.randint(5, 900)}.000.000 đồng", style)])
        y += 92
        s.row(y, [L("5. Chủ hộ kinh doanh:", "label-bold")])
        y += 92
        s.row(
            y,
            [L("Họ và tên:"), _val(owner.name_upper, style), L("Giới tính:", x=1500), _val(owner.sex, style)],
            x0=260,
        )
        y += 92
        s.row(
            y,
            [
                L("Sinh ngày:"),
                _val(v.fmt_date(owner.date_of_birth), style),
                L("Dân tộc:", x=1100),
                _val(owner.ethnicity, style),
                L("Quốc tịch:", x=1600),
                _val(v.NATIONALITY, style),
            ],
            x0=260,
        )
        y += 92
        s.row(y, [L("Số định danh cá nhân:"), _val(owner.id_number, style)], x0=260)
        y += 92
        s.row(y, [L("Nơi cư trú:"), _val(owner.residence, style, 11)], x0=260)
        rep, variant = owner.name_upper, "household"
    else:
        y = _two_col_header(
            s, 220, [f"SỞ KẾ HOẠCH VÀ ĐẦU TƯ {v.upper(place.province)}", "PHÒNG ĐĂNG KÝ KINH DOANH"]
        )
        s.centred(y, "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", "label-bold", 15)
        s.centred(y + 85, "CÔNG TY TRÁCH NHIỆM HỮU HẠN MỘT THÀNH VIÊN", "label-bold", 12)
        y += 220
        s.row(y, [L("Mã số doanh nghiệp:"), _val(code, style, 13)], x0=700)
        y += 92
        change = first + timedelta(days=rng.randint(200, 900))
        s.row(y, [L("Đăng ký lần đầu:"), _val(v.fmt_date_words(first) + ",", style, 11)], x0=400)
        y += 92
        s.row(
            y,
            [
                L("Đăng ký thay đổi lần thứ"),
                _val(f"{rng.randint(1, 5)}: {v.fmt_date_words(change)}", style, 11),
            ],
            x0=400,
        )
        y += 140
        trade = rng.choice(["THƯƠNG MẠI", "XÂY DỰNG", "DỊCH VỤ", "CÔNG NGHỆ"])
        name = f"CÔNG TY TNHH {trade} {v.upper(owner.given)} {v.upper(place.commune_name)}"
        s.row(y, [L("1. Tên công ty", "label-bold")])
        y += 92
        s.row(y, [L("Tên công ty viết bằng tiếng Việt:"), _val(name, style, 11)], x0=240)
        y += 92
        s.row(
            y,
            [
                L("Tên công ty viết bằng tiếng nước ngoài:"),
                _val(f"{v.plain(owner.given)} {v.plain(trade)} COMPANY LIMITED", style, 10),
            ],
            x0=240,
        )
        y += 92
        address = v.random_address(rng, place)
        s.row(y, [L("2. Địa chỉ trụ sở chính:", "label-bold"), _val(address, style, 11)])
        y += 92
        s.row(y, [L("Điện thoại:"), _val(v.phone_number(rng), style), L("Fax:", x=1300), L("-")], x0=240)
        y += 92
        s.row(y, [L("3. Vốn điều lệ:", "label-bold"), _val(f"{rng.randint(1, 90)}.000.000.000 đồng", style)])
        y += 92
        s.row(y, [L("4. Người đại diện theo pháp luật của công ty", "label-bold")])
        y += 92
        s.row(
            y,
            [
                L("* Họ và tên:"),
                _val(owner.name_upper, style),
                L("Giới tính:", x=1500),
                _val(owner.sex, style),
            ],
            x0=240,
        )
        y += 92
        s.row(y, [L("Chức danh:"), _val("Giám đốc", style)], x0=240)
        y += 92
        s.row(
            y,
            [
                L("Sinh ngày:"),
                _val(v.fmt_date(owner.date_of_birth), style),
                L("Dân tộc:", x=1100),
                _val(owner.ethnicity, style),
                L("Quốc tịch:", x=1600),
                _val(v.NATIONALITY, style),
            ],
            x0=240,
        )
        y += 92
        s.row(y, [L("Số định danh cá nhân:"), _val(owner.id_number, style)], x0=240)
        rep, variant = owner.name_upper, "enterprise"
    fields = {
        "enterprise_code": code,
        "name": name,
        "address": address,
        "legal_representative": rep,
        "registration_date": first.isoformat(),
    }
    return Doc("business_registration", variant, [s.image], [s.text], fields)


# --------------------------------------------------------------------------- ID cards
def _expiry(dob: date, issued: date) -> date:
    for age in (25, 40, 60):
        limit = dob.replace(year=dob.year + age)
        if issued < limit - timedelta(days=2 * 365):
            return limit
    return date(9999, 12, 31)


def cccd(rng: random.Random) -> Doc:
    """Both sides photocopied onto one A4 page, front above back."""
    person = v.random_person(rng, born_between=(date(1950, 1, 1), date(2006, 12, 31)))
    issued = v.random_date(rng, date(2021, 1, 1), date(2025, 11, 1))
    expiry = _expiry(person.date_of_birth, issued)
    new_card = rng.random() < 0.5
    s = Sheet(rng=rng)
    card_w, card_h = 1400, 880  # a 118 % enlargement, as one-stop shops photocopy cards
    fx, fy, by = 540, 380, 1500
    tint = (226, 236, 240) if not new_card else (238, 232, 242)
    for top in (fy, by):
        s.draw.rounded_rectangle(
            (fx, top, fx + card_w, top + card_h), 40, fill=tint, outline=(90, 90, 90), width=3
        )
    x, pt = fx + 360, 8.6
    y = fy + 40
    s.centred(y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "sans-bold", 8.2, fx + card_w / 2 + 120)
    s.centred(y + 42, "Độc lập - Tự do - Hạnh phúc", "sans-bold", 8.2, fx + card_w / 2 + 120)
    s.draw.rectangle((fx + 50, fy + 250, fx + 320, fy + 600), fill=(200, 205, 210))  # photo
    fields: dict[str, str] = {
        "id_number": person.id_number,
        "full_name": person.name_upper,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "nationality": v.NATIONALITY,
    }
    y += 120
    exp_text = "Không thời hạn" if expiry.year == 9999 else v.fmt_date(expiry)
    if expiry.year != 9999:
        fields["expiry_date"] = expiry.isoformat()
    if new_card:
        s.centred(y, "CĂN CƯỚC", "sans-bold", 13, fx + card_w / 2 + 120)
        s.centred(y + 64, "IDENTITY CARD", "sans-bold", 9, fx + card_w / 2 + 120)
        y += 150
        s.row(y, [L("Số định danh cá nhân / Personal identification number:", "sans", pt)], x0=x)
        s.row(y + 48, [_val(person.id_number, "sans-bold", 12)], x0=x + 60)
        y += 125
        s.row(y, [L("Họ, chữ đệm và tên khai sinh / Full name:", "sans", pt)], x0=x)
        s.row(y + 46, [_val(person.name_upper, "sans-bold", 10)], x0=x)
        y += 110
        s.row(
            y,
            [
                L("Ngày, tháng, năm sinh / Date of birth:", "sans", pt),
                _val(v.fmt_date(person.date_of_birth), "sans-bold", 9),
            ],
            x0=x,
        )
        y += 60
        s.row(
            y,
            [
                L("Giới tính / Sex:", "sans", pt),
                _val(person.sex, "sans-bold", 9),
                L("Quốc tịch / Nationality:", "sans", pt, x=x + 480),
                _val(v.NATIONALITY, "sans-bold", 9),
            ],
            x0=x,
        )
        # back
        y = by + 60
        s.row(y, [L("Nơi cư trú / Place of residence:", "sans", pt)], x0=fx + 60)
        s.row(y + 46, [_val(person.residence, "sans-bold", 8.6)], x0=fx + 60)
        fields["place_of_residence"] = person.residence
        y += 110
        s.row(y, [L("Nơi đăng ký khai sinh / Place of birth:", "sans", pt)], x0=fx + 60)
        s.row(y + 46, [_val(person.origin.text(), "sans-bold", 8.6)], x0=fx + 60)
        y += 110
        s.row(
            y,
            [
                L("Ngày, tháng, năm cấp / Date of issue:", "sans", pt),
                _val(v.fmt_date(issued), "sans-bold", 8.6),
            ],
            x0=fx + 60,
        )
        y += 56
        s.row(
            y,
            [L("Ngày, tháng, năm hết hạn / Date of expiry:", "sans", pt), _val(exp_text, "sans-bold", 8.6)],
            x0=fx + 60,
        )
        s.row(y + 70, [L("BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY", "sans-bold", 8)], x0=fx + 700)
        fields["issue_date"] = issued.isoformat()
        variant = "the-can-cuoc-2024"
    else:
        s.centred(y, "CĂN CƯỚC CÔNG DÂN", "sans-bold", 13, fx + card_w / 2 + 120)
        s.centred(y + 64, "Citizen Identity Card", "sans-bold", 9, fx + card_w / 2 + 120)
        y += 150
        s.row(y, [L("Số / No.:", "sans", pt), _val(person.id_number, "sans-bold", 12)], x0=x)
        y += 80
        s.row(y, [L("Họ và tên / Full name:", "sans", pt)], x0=x)
        s.row(y + 44, [_val(person.name_upper, "sans-bold", 10)], x0=x)
        y += 105
        s.row(
            y,
            [
                L("Ngày sinh / Date of birth:", "sans", pt),
                _val(v.fmt_date(person.date_of_birth), "sans-bold", 9),
            ],
            x0=x,
        )
        y += 56
        s.row(
            y,
            [
                L("Giới tính / Sex:", "sans", pt),
                _val(person.sex, "sans-bold", 9),
                L("Quốc tịch / Nationality:", "sans", pt, x=x + 420),
                _val(v.NATIONALITY, "sans-bold", 9),
            ],
            x0=x,
        )
        y += 56
        origin = f"{person.origin.commune}, {person.origin.district}, {person.origin.province}"
        s.row(y, [L("Quê quán / Place of origin:", "sans", pt)], x0=x)
        s.row(y + 44, [_val(origin, "sans-bold", 8.4)], x0=x)
        y += 105
        s.row(y, [L("Nơi thường trú / Place of residence:", "sans", pt)], x0=x)
        first, second = _wrap_two(person.residence)
        s.row(y + 44, [_val(first, "sans-bold", 8.4)], x0=x)
        s.row(y + 88, [_val(second, "sans-bold", 8.4)], x0=x)
        s.row(fy + card_h - 60, [L("Có giá trị đến:", "sans", 7.5), _val(exp_text, "sans", 7.5)], x0=fx + 40)
        fields.update({"place_of_origin": origin, "place_of_residence": person.residence})
        y = by + 60
        s.row(y, [L("Đặc điểm nhân dạng / Personal identification:", "sans", pt)], x0=fx + 60)
        s.row(
            y + 46,
            [
                _val(
                    rng.choice(["Nốt ruồi C:2cm trên trước mép phải", "Sẹo chấm C:1cm dưới mắt trái"]),
                    "sans",
                    8.4,
                )
            ],
            x0=fx + 60,
        )
        y += 120
        s.row(
            y,
            [
                L("Ngày, tháng, năm / Date, month, year:", "sans", pt),
                _val(v.fmt_date(issued), "sans-bold", 8.6),
            ],
            x0=fx + 60,
        )
        s.row(
            y + 60,
            [L("CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "sans-bold", 7)],
            x0=fx + 60,
        )
        fields["issue_date"] = issued.isoformat()
        variant = "cccd-2021"
    mrz_y = by + card_h - 230
    for i, line in enumerate(td1_lines(person, expiry if expiry.year != 9999 else date(2099, 12, 31))):
        s.row(mrz_y + i * 66, [L(line, "mono-bold", 11)], x0=fx + 130)
    return Doc("cccd", variant, [s.image], [s.text], fields)


# --------------------------------------------------------------------------- requests ("ĐƠN XIN …")
_REQUESTS = [
    ("ĐƠN XIN XÁC NHẬN CƯ TRÚ", "Xác nhận thông tin về cư trú"),
    ("ĐƠN XIN CẤP BẢN SAO TRÍCH LỤC KHAI SINH", "Cấp bản sao trích lục hộ tịch"),
    ("ĐƠN XIN XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    ("ĐƠN ĐỀ NGHỊ CHỨNG THỰC BẢN SAO", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
]


def request_letter(rng: random.Random) -> Doc:
    place = v.random_place(rng)
    person = v.random_person(rng, born_between=(date(1950, 1, 1), date(2006, 12, 31)))
    hand = rng.random() < 0.35
    style = "hand" if hand else _typed_style(rng)
    s = Sheet(rng=rng)
    y = _motto(s, 240)
    title, procedure = rng.choice(_REQUESTS)
    s.centred(y, title, "label-bold", 15)
    y += 160
    s.row(y, [L("Kính gửi:"), L(f"Ủy ban nhân dân {place.commune}, {place.district}")], x0=500)
    y += 130
    proper = person.name if rng.random() < 0.6 else person.name_upper
    s.row(
        y,
        [
            L("Tôi tên là:"),
            _val(proper, style, dots_to=1450),
            L("Sinh ngày:", x=1500),
            _val(v.fmt_date(person.date_of_birth), style, dots_to=2290),
        ],
    )
    y += 95
    issued = v.random_date(rng, date(2021, 1, 1), date(2025, 10, 1))
    s.row(
        y,
        [
            L("Số CCCD:"),
            _val(person.id_number, style, dots_to=1200),
            L("Ngày cấp:", x=1250),
            _val(v.fmt_date(issued), style, dots_to=2290),
        ],
    )
    y += 95
    s.row(y, [L("Nơi cư trú:"), _val(person.residence, style, 11, dots_to=2290)])
    y += 95
    phone = v.phone_number(rng)
    s.row(
        y,
        [
            L("Số điện thoại:"),
            _val(phone, style, dots_to=1200),
            L("Email:", x=1250),
            _val("", style, dots_to=2290),
        ],
    )
    y += 130
    s.row(y, [L("Nay tôi làm đơn này kính đề nghị Ủy ban nhân dân xã giải quyết thủ tục:")])
    y += 95
    s.row(y, [_val(procedure + ".", style)], x0=260)
    y += 95
    s.row(y, [L("Lý do:"), _val("để bổ sung hồ sơ", style, dots_to=2290)])
    y += 130
    s.row(y, [L("Tôi xin cam đoan những nội dung trên là đúng sự thật.")])
    y += 160
    s.centred(
        y, f"{place.commune_name}, {v.fmt_date_words(issued + timedelta(days=30))}", "label-italic", 11, 1700
    )
    s.centred(y + 70, "NGƯỜI LÀM ĐƠN", "label-bold", 12, 1700)
    s.centred(y + 135, "(Ký, ghi rõ họ tên)", "label-italic", 10.5, 1700)
    fields = {
        "full_name": proper,
        "date_of_birth": person.date_of_birth.isoformat(),
        "id_number": person.id_number,
        "place_of_residence": person.residence,
        "phone": phone,
        "procedure_name": procedure,
    }
    return Doc(
        "application_form",
        "don-xin-hand" if hand else "don-xin",
        [s.image],
        [s.text],
        fields,
        handwritten=hand,
    )


# --------------------------------------------------------------------------- other (letters)
def ubnd_letter(rng: random.Random) -> Doc:
    place = v.random_place(rng)
    person = v.random_person(rng)
    s = Sheet(rng=rng)
    kind = rng.choice(["letter", "notice", "invitation"])
    y = _two_col_header(s, 220, [f"UBND {v.upper(place.district)}", v.upper(_ubnd(place))])
    s.row(y - 40, [L(f"Số: {rng.randint(10, 900)}/UBND-VP", points=11)], x0=350)
    y += 80
    if kind == "letter":
        s.row(y, [L("V/v giải quyết hồ sơ của công dân", "label-italic", 11)], x0=280)
        y += 130
        s.row(y, [L("Kính gửi:"), L(f"Ông/Bà {person.name}")], x0=700)
    else:
        s.centred(y, "THÔNG BÁO" if kind == "notice" else "GIẤY MỜI", "label-bold", 15)
        y += 90
        s.centred(y, "Về việc bổ sung hồ sơ thủ tục hành chính", "label-bold", 12)
    y += 150
    body = [
        f"Ủy ban nhân dân {place.commune} nhận được hồ sơ của ông/bà {person.name},",
        f"CCCD số {person.id_number}, cư trú tại {person.residence.split(',')[0]}.",
        "Sau khi xem xét, đề nghị ông/bà bổ sung các giấy tờ sau đây để được giải quyết:",
        "- Bản sao giấy khai sinh; - Giấy xác nhận thông tin về cư trú.",
        "Thời hạn bổ sung: trong vòng 10 ngày làm việc kể từ ngày nhận được văn bản này.",
        "Ủy ban nhân dân xã trân trọng thông báo./.",
    ]
    for line in body:
        s.row(y, [L(line, points=12)], x0=260)
        y += 92
    y += 100
    s.row(y, [L("Nơi nhận:", "label-bold", 10.5), L("TM. ỦY BAN NHÂN DÂN", "label-bold", 12, x=1350)], x0=260)
    s.row(y + 70, [L("- Như trên;", points=10), L("CHỦ TỊCH", "label-bold", 12, x=1480)], x0=260)
    s.row(y + 130, [L("- Lưu: VT.", points=10)], x0=260)
    return Doc("other", f"ubnd-{kind}", [s.image], [s.text], {})


def _nfc_fields(doc: Doc) -> Doc:
    doc.fields = {k: nfc(val) for k, val in doc.fields.items()}
    return doc


RENDERERS2 = {
    "cccd": cccd,
    "birth_certificate": birth_certificate,
    "marriage_certificate": marriage_certificate,
    "land_use_certificate": land_use_certificate,
    "business_registration": business_registration,
    "request_letter": request_letter,
    "other": ubnd_letter,
}
__all__ = ["A4", "RENDERERS2", "Doc"]
