"""One renderer per A4 document type. Each returns the page images, the printed lines of every page
and the fields normalised as /work/shared/spec/documents.md says."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image

from tests.datagen import values as v
from tests.datagen.form import Form, Style
from tests.datagen.qr import land_payload, qr_image
from tests.datagen.words import area_words, date_words


@dataclass
class RenderedDocument:
    doc_type: str
    pages: list[Image.Image]
    page_lines: list[list[str]]
    fields: dict[str, str]
    seal_anchors: list[tuple[int, int] | None] = field(default_factory=list)
    variant: str = ""

    @property
    def text(self) -> str:
        return "\n".join(line for page in self.page_lines for line in page)


def _finish(doc_type: str, forms: list[Form], fields: dict[str, str], variant: str = "") -> RenderedDocument:
    return RenderedDocument(
        doc_type=doc_type,
        pages=[f.canvas.image for f in forms],
        page_lines=[list(f.canvas.lines) for f in forms],
        fields={k: " ".join(val.split()) for k, val in fields.items()},
        seal_anchors=[f.seal_anchor for f in forms],
        variant=variant,
    )


def _commune_header(place: v.Place) -> list[tuple[str, bool]]:
    return [("ỦY BAN NHÂN DÂN", False), (v.upper(place.commune), True)]


def _signer(rng: random.Random) -> str:
    return v.random_person(rng).name


def _place_date(place: v.Place, d: date) -> str:
    return f"{place.commune_name}, {v.fmt_date_words(d)}"


def birth_certificate(rng: random.Random) -> RenderedDocument:
    form = Form(rng, Style.random(rng))
    reg_place = v.random_place(rng)
    dob = v.random_date(rng, date(2005, 1, 1), date(2026, 6, 30))
    reg_date = dob + timedelta(days=rng.randint(3, 55))
    sex = rng.choice(["Nam", "Nữ"])
    home = v.random_address(rng, reg_place)
    father = v.random_person(rng, "Nam", (date(1975, 1, 1), date(dob.year - 20, 12, 31)), residence=home)
    mother = v.random_person(rng, "Nữ", (date(1978, 1, 1), date(dob.year - 19, 12, 31)), residence=home)
    _, middle, given = v.random_name(rng, sex)
    child_id = v.cccd_number(rng, reg_place.province_code, dob, sex)
    child_name = v.upper(f"{father.family} {middle} {given}")
    if rng.random() < 0.5:
        birth_place = f"Bệnh viện Đa khoa {reg_place.province}"
    else:
        birth_place = f"Trạm Y tế {reg_place.text()}"
    number = str(rng.randint(1, 250))
    book = v.registration_book(rng, reg_date.year)

    form.two_column_header(_commune_header(reg_place))
    form.title("GIẤY KHAI SINH")
    form.centered("(BẢN CHÍNH)", italic=True)
    form.fields_inline([("Số:", number), ("Quyển số:", book)])
    form.skip(0.3)
    form.field(rng.choice(["Họ, chữ đệm, tên:", "Họ, chữ đệm và tên:"]), child_name)
    form.field("Ngày, tháng, năm sinh:", v.fmt_date(dob), below=False)
    if rng.random() < 0.6:  # the current form repeats the date in words
        form.field("Ghi bằng chữ:", date_words(dob), below=False)
    form.fields_inline([("Giới tính:", sex), ("Dân tộc:", father.ethnicity), ("Quốc tịch:", v.NATIONALITY)])
    form.field("Nơi sinh:", birth_place)
    form.field("Quê quán:", father.origin.text())
    form.field("Số định danh cá nhân:", child_id, below=False)
    form.skip(0.3)
    form.field("Họ, chữ đệm, tên người mẹ:", mother.name_upper)
    form.fields_inline([("Năm sinh:", str(mother.date_of_birth.year)), ("Dân tộc:", mother.ethnicity),
                        ("Quốc tịch:", v.NATIONALITY)])  # fmt: skip
    form.field("Nơi cư trú:", mother.residence)
    form.skip(0.3)
    form.field("Họ, chữ đệm, tên người cha:", father.name_upper)
    form.fields_inline([("Năm sinh:", str(father.date_of_birth.year)), ("Dân tộc:", father.ethnicity),
                        ("Quốc tịch:", v.NATIONALITY)])  # fmt: skip
    form.field("Nơi cư trú:", father.residence)
    form.skip(0.3)
    form.field("Nơi đăng ký khai sinh:", f"Ủy ban nhân dân {reg_place.text()}")
    form.field("Ngày, tháng, năm đăng ký:", v.fmt_date(reg_date), below=False)
    form.skip(0.5)
    form.signature_block(
        [(_place_date(reg_place, reg_date), "italic"), ("NGƯỜI KÝ GIẤY KHAI SINH", "bold"),
         ("(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", "italic")],
        _signer(rng),
    )  # fmt: skip
    fields = {
        "registration_number": number,
        "registration_book": book,
        "full_name": child_name,
        "date_of_birth": dob.isoformat(),
        "sex": sex,
        "ethnicity": father.ethnicity,
        "nationality": v.NATIONALITY,
        "place_of_birth": birth_place,
        "place_of_origin": father.origin.text(),
        "id_number": child_id,
        "mother_name": mother.name_upper,
        "father_name": father.name_upper,
    }
    return _finish("birth_certificate", [form], fields)


def marriage_certificate(rng: random.Random) -> RenderedDocument:
    form = Form(rng, Style.random(rng))
    reg_place = v.random_place(rng)
    reg_date = v.random_date(rng, date(2016, 1, 1), date(2026, 10, 31))
    latest = date(reg_date.year - 20, 1, 1)
    husband = v.random_person(rng, "Nam", (date(reg_date.year - 45, 1, 1), latest))
    wife_from = husband.date_of_birth + timedelta(days=-3 * 365)
    wife = v.random_person(rng, "Nữ", (wife_from, min(latest, wife_from + timedelta(days=10 * 365))))
    number = str(rng.randint(1, 150))
    book = v.registration_book(rng, reg_date.year)

    form.two_column_header(_commune_header(reg_place))
    form.title("GIẤY CHỨNG NHẬN KẾT HÔN")
    form.fields_inline([("Số:", number), ("Quyển số:", book)])
    form.skip(0.3)
    fields = {"registration_number": number, "registration_book": book,
              "registration_date": reg_date.isoformat()}  # fmt: skip
    for role, who, heading in (
        ("husband", husband, "Thông tin người chồng"),
        ("wife", wife, "Thông tin người vợ"),
    ):
        form.heading(heading)
        form.field("Họ, chữ đệm, tên:", who.name_upper, indent=60)
        form.field("Ngày, tháng, năm sinh:", v.fmt_date(who.date_of_birth), below=False, indent=60)
        form.fields_inline([("Dân tộc:", who.ethnicity), ("Quốc tịch:", v.NATIONALITY)], indent=60)
        form.field("Nơi cư trú:", who.residence, indent=60)
        form.field("Số định danh cá nhân:", who.id_number, below=False, indent=60)
        form.skip(0.3)
        fields.update({
            f"{role}_name": who.name_upper,
            f"{role}_date_of_birth": who.date_of_birth.isoformat(),
            f"{role}_ethnicity": who.ethnicity,
            f"{role}_nationality": v.NATIONALITY,
            f"{role}_place_of_residence": who.residence,
            f"{role}_id_number": who.id_number,
        })  # fmt: skip
    form.field("Nơi đăng ký kết hôn:", f"Ủy ban nhân dân {reg_place.text()}")
    form.field("Ngày, tháng, năm đăng ký:", v.fmt_date(reg_date), below=False)
    form.skip(0.5)
    form.signature_block(
        [(_place_date(reg_place, reg_date), "italic"), ("TM. ỦY BAN NHÂN DÂN", "bold"), ("CHỦ TỊCH", "bold")],
        _signer(rng),
    )
    return _finish("marriage_certificate", [form], fields)


_LAND_USES = ["Đất ở tại nông thôn", "Đất ở tại đô thị", "Đất trồng cây lâu năm", "Đất trồng lúa"]
_LAND_ORIGINS = ["Nhà nước giao đất có thu tiền sử dụng đất",
                 "Công nhận quyền sử dụng đất như giao đất có thu tiền",
                 "Nhận chuyển nhượng đất được công nhận quyền sử dụng đất"]  # fmt: skip


GCN_2024_FROM = date(2024, 8, 1)  # Land Law 2024 in force: certificates of the new layout


def land_use_certificate(rng: random.Random) -> RenderedDocument:
    style = Style.random(rng)
    page1, page2 = Form(rng, style), Form(rng, style)
    holder = v.random_person(rng, born_between=(date(1945, 1, 1), date(1995, 12, 31)))
    parcel_place = v.random_place(rng)
    issue = v.random_date(rng, date(2012, 1, 1), date(2026, 9, 30))
    serial = v.land_serial(rng)
    registry = v.registry_number(rng)
    parcel = str(rng.randint(1, 980))
    sheet = str(rng.randint(1, 60))
    area_value = rng.choice([round(rng.uniform(40, 400), 1), float(rng.randint(50, 300))])
    area_printed, area_norm = v.fmt_area(area_value)
    land_address = f"{rng.choice(v.VILLAGES)}, {parcel_place.text()}"
    title_word = "Ông:" if holder.sex == "Nam" else "Bà:"

    page1.motto()
    page1.skip(1.5)
    page1.title("GIẤY CHỨNG NHẬN", scale=1.6)
    page1.title("QUYỀN SỬ DỤNG ĐẤT", scale=1.4)
    page1.title("QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", scale=1.05)
    page1.skip(1.0)
    page1.heading("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất")
    page1.fields_inline([(title_word, holder.name_upper), ("Sinh năm:", str(holder.date_of_birth.year))])
    page1.field(rng.choice(["CCCD số:", "Số định danh:"]), holder.id_number, below=False)
    page1.field("Địa chỉ thường trú:", holder.residence)
    page1.skip(6)
    f_serial = page1.bold(1.2)
    page1.canvas.text((page1.canvas.width / 2, page1.y), f"Số phát hành: {serial}", f_serial, align="center",
                      fill=(200, 20, 30))  # fmt: skip
    page1.skip()

    page2.heading("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất")
    page2.heading("1. Thửa đất:")
    page2.fields_inline([("a) Thửa đất số:", parcel), ("Tờ bản đồ số:", sheet)], indent=60)
    page2.field("b) Địa chỉ:", land_address, indent=60)
    page2.field("c) Diện tích:", f"{area_printed} m²", below=False, indent=60)
    if rng.random() < 0.6:
        page2.paragraph(f"(Bằng chữ: {area_words(area_printed)})", first_indent=60)
    page2.field("d) Hình thức sử dụng:", "Sử dụng riêng", below=False, indent=60)
    page2.field("đ) Mục đích sử dụng:", rng.choice(_LAND_USES), below=False, indent=60)
    page2.field("e) Thời hạn sử dụng:", "Lâu dài", below=False, indent=60)
    page2.field("g) Nguồn gốc sử dụng:", rng.choice(_LAND_ORIGINS), indent=60)
    page2.field("2. Nhà ở:", "-/-", below=False)
    page2.field("3. Công trình xây dựng khác:", "-/-", below=False)
    page2.field("Ghi chú:", "Không", below=False)
    page2.skip(0.5)
    page2.signature_block(
        [(f"{v.PROVINCES[parcel_place.province_code]}, {v.fmt_date_words(issue)}", "italic"),
         ("TM. ỦY BAN NHÂN DÂN", "bold"), ("KT. CHỦ TỊCH", "bold"), ("PHÓ CHỦ TỊCH", "bold")],
        _signer(rng),
    )  # fmt: skip
    page2.bottom_left(f"Số vào sổ cấp GCN: {registry}")
    fields = {
        "certificate_serial": serial,
        "holder_name": holder.name_upper,
        "holder_id_number": holder.id_number,
        "parcel_number": parcel,
        "map_sheet_number": sheet,
        "land_address": land_address,
        "area_m2": area_norm,
        "registry_number": registry,
    }
    if issue >= GCN_2024_FROM:  # certificates of the 2024 layout carry a QR code on page 1
        size = 240  # 20 mm
        code = qr_image(land_payload(fields), size)
        page1.canvas.image.paste(code, (page1.canvas.width - 230 - size, 60))
    return _finish("land_use_certificate", [page1, page2], fields)


PROCEDURES = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Chứng thực bản sao từ bản chính", "Đăng ký thường trú",
              "Cấp bản sao trích lục hộ tịch", "Đăng ký khai tử", "Xác nhận tình trạng hôn nhân",
              "Đăng ký biến động đất đai", "Đăng ký hộ kinh doanh"]  # fmt: skip


def application_form(rng: random.Random) -> RenderedDocument:
    form = Form(rng, Style.random(rng))
    person = v.random_person(rng, born_between=(date(1950, 1, 1), date(2006, 12, 31)))
    place = v.random_place(rng)
    filed = v.random_date(rng, date(2024, 1, 1), date(2026, 11, 20))
    phone = v.phone_number(rng)
    procedure = rng.choice(PROCEDURES)
    name = person.name_upper if rng.random() < 0.7 else person.name

    form.motto()
    form.skip(0.5)
    form.title(rng.choice(["ĐƠN ĐỀ NGHỊ", "TỜ KHAI"]), scale=1.35)
    form.centered(f"(V/v: {procedure.lower()})", italic=True)
    form.skip(0.3)
    form.field("Kính gửi:", f"Ủy ban nhân dân {place.text()}", below=False)
    form.skip(0.3)
    form.field(rng.choice(["Họ, chữ đệm, tên người yêu cầu:", "Họ và tên người yêu cầu:"]), name)
    dob = person.date_of_birth
    printed_dob = v.fmt_date_words(dob) if rng.random() < 0.2 else v.fmt_date(dob)
    form.field(rng.choice(["Ngày, tháng, năm sinh:", "Ngày sinh:"]), printed_dob)
    form.field(rng.choice(["Số định danh cá nhân:", "Số CCCD:"]), person.id_number)
    form.field("Nơi cư trú:", person.residence)
    form.field("Số điện thoại:", phone)
    form.skip(0.3)
    form.paragraph(f"Đề nghị Ủy ban nhân dân {place.commune} giải quyết thủ tục: {procedure}.")
    form.paragraph("Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp "
                   "luật về cam đoan của mình.")  # fmt: skip
    form.skip(0.5)
    form.signature_block(
        [
            (_place_date(place, filed), "italic"),
            ("NGƯỜI YÊU CẦU", "bold"),
            ("(Ký, ghi rõ họ, chữ đệm, tên)", "italic"),
        ],
        person.name,
        gap_lines=2.5,
    )
    form.seal_anchor = None  # the citizen signs; no authority stamps a request form
    fields = {
        "full_name": name,
        "id_number": person.id_number,
        "date_of_birth": person.date_of_birth.isoformat(),
        "place_of_residence": person.residence,
        "phone": phone,
        "procedure_name": procedure,
    }
    return _finish("application_form", [form], fields)


_TRADES = [("THƯƠNG MẠI VÀ DỊCH VỤ", "TRADING AND SERVICES"), ("XÂY DỰNG", "CONSTRUCTION"),
           ("CÔNG NGHỆ", "TECHNOLOGY"), ("SẢN XUẤT", "MANUFACTURING"), ("VẬN TẢI", "TRANSPORT")]  # fmt: skip
_BRANDS = [
    "AN PHÁT",
    "HÒA BÌNH",
    "MINH KHANG",
    "PHÚ THỊNH",
    "TÂN TIẾN",
    "VIỆT HƯNG",
    "THÀNH ĐẠT",
    "HƯNG THỊNH",
]
_FORMS = [("CÔNG TY TRÁCH NHIỆM HỮU HẠN MỘT THÀNH VIÊN", "CÔNG TY TNHH", "COMPANY LIMITED", "CO., LTD"),
          ("CÔNG TY TRÁCH NHIỆM HỮU HẠN HAI THÀNH VIÊN TRỞ LÊN", "CÔNG TY TNHH", "COMPANY LIMITED",
           "CO., LTD"),
          ("CÔNG TY CỔ PHẦN", "CÔNG TY CỔ PHẦN", "JOINT STOCK COMPANY", "JSC")]  # fmt: skip


_SHOPS = [
    ("CỬA HÀNG TẠP HÓA", "Bán lẻ lương thực, thực phẩm, đồ uống trong các cửa hàng chuyên doanh"),
    ("QUÁN ĂN", "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động"),
    ("TIỆM SỬA XE", "Bảo dưỡng, sửa chữa mô tô, xe máy"),
    ("CỬA HÀNG VẬT LIỆU XÂY DỰNG", "Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng"),
    ("TIỆM CẮT TÓC", "Cắt tóc, làm đầu, gội đầu"),
]


def _household_business(rng: random.Random, form: Form, place: v.Place) -> RenderedDocument:
    """Giấy chứng nhận đăng ký hộ kinh doanh: issued by the district, code = the household's tax code."""
    owner = v.random_person(rng, born_between=(date(1960, 1, 1), date(2000, 12, 31)))
    first = v.random_date(rng, date(2015, 1, 1), date(2026, 6, 30))
    code = f"8{rng.randint(0, 999999999):09d}"
    shop, trade = rng.choice(_SHOPS)
    name = f"{shop} {rng.choice(_BRANDS)}"
    address = v.random_address(rng, place)
    form.two_column_header([("ỦY BAN NHÂN DÂN", False), (v.upper(place.district), False),
                            ("PHÒNG TÀI CHÍNH - KẾ HOẠCH", True)])  # fmt: skip
    form.title("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", scale=1.2)
    form.field("Mã số hộ kinh doanh:", code, below=False)
    form.field("Đăng ký lần đầu:", v.fmt_date_words(first), below=False)
    form.field("1. Tên hộ kinh doanh:", name)
    form.field("2. Địa điểm kinh doanh:", address)
    form.field("Điện thoại:", v.phone_number(rng), below=False)
    form.field("3. Ngành, nghề kinh doanh:", trade)
    form.field("4. Vốn kinh doanh:", f"{rng.choice(['50', '100', '200', '300'])}.000.000 đồng", below=False)
    form.heading("5. Chủ hộ kinh doanh")
    form.fields_inline([("Họ và tên:", owner.name_upper), ("Giới tính:", owner.sex)])
    form.fields_inline([("Sinh ngày:", v.fmt_date(owner.date_of_birth)), ("Dân tộc:", owner.ethnicity),
                        ("Quốc tịch:", v.NATIONALITY)])  # fmt: skip
    form.field("Số định danh cá nhân:", owner.id_number, below=False)
    form.field("Nơi cư trú:", owner.residence)
    form.skip(0.5)
    form.signature_block([("TRƯỞNG PHÒNG", "bold")], _signer(rng), gap_lines=2.8)
    fields = {
        "enterprise_code": code,
        "name": name,
        "address": address,
        "legal_representative": owner.name_upper,
        "registration_date": first.isoformat(),
    }
    return _finish("business_registration", [form], fields, variant="ho_kinh_doanh")


def business_registration(rng: random.Random) -> RenderedDocument:
    form = Form(rng, Style.random(rng))
    place = v.random_place(rng)
    if rng.random() < 0.3:
        return _household_business(rng, form, place)
    rep = v.random_person(rng, born_between=(date(1960, 1, 1), date(1998, 12, 31)))
    first = v.random_date(rng, date(2010, 1, 1), date(2026, 6, 30))
    code = v.enterprise_code(rng, place.province_code)
    kind, short, en_kind, en_short = rng.choice(_FORMS)
    trade, en_trade = rng.choice(_TRADES)
    brand = rng.choice(_BRANDS)
    name = f"{short} {trade} {brand}"
    en_brand = v.plain(brand)
    address = v.random_address(rng, place)

    form.two_column_header([("SỞ KẾ HOẠCH VÀ ĐẦU TƯ", False), (v.upper(place.province), False),
                            ("PHÒNG ĐĂNG KÝ KINH DOANH", True)])  # fmt: skip
    form.title("GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", scale=1.2)
    form.centered(kind, bold=True)
    form.field("Mã số doanh nghiệp:", code, below=False)
    form.field("Đăng ký lần đầu:", v.fmt_date_words(first), below=False)
    if rng.random() < 0.5:
        later = min(first + timedelta(days=rng.randint(200, 1500)), date(2026, 11, 20))
        form.field(f"Đăng ký thay đổi lần thứ {rng.randint(1, 5)}:", v.fmt_date_words(later), below=False)
    form.heading("1. Tên công ty")
    form.field("Tên công ty viết bằng tiếng Việt:", name)
    form.field("Tên công ty viết bằng tiếng nước ngoài:", f"{en_brand} {en_trade} {en_kind}")
    form.field("Tên công ty viết tắt:", f"{en_brand} {en_short}", below=False)
    form.heading("2. Địa chỉ trụ sở chính")
    form.paragraph(address, first_indent=0)
    form.field("Điện thoại:", v.phone_number(rng), below=False)
    form.heading("3. Vốn điều lệ")
    capital = rng.choice(["500.000.000", "1.000.000.000", "2.000.000.000", "5.000.000.000"])
    form.field("Vốn điều lệ:", f"{capital} đồng", below=False)
    form.heading("4. Người đại diện theo pháp luật của công ty")
    form.fields_inline([("Họ và tên:", rep.name_upper), ("Giới tính:", rep.sex)])
    form.field(
        "Chức danh:", rng.choice(["Giám đốc", "Tổng giám đốc", "Chủ tịch hội đồng quản trị"]), below=False
    )
    form.fields_inline([("Sinh ngày:", v.fmt_date(rep.date_of_birth)), ("Dân tộc:", rep.ethnicity),
                        ("Quốc tịch:", v.NATIONALITY)])  # fmt: skip
    form.field("Số định danh cá nhân:", rep.id_number, below=False)
    form.field("Địa chỉ liên lạc:", rep.residence)
    form.skip(0.5)
    form.signature_block([("TRƯỞNG PHÒNG", "bold")], _signer(rng), gap_lines=2.8)
    fields = {
        "enterprise_code": code,
        "name": name,
        "address": address,
        "legal_representative": rep.name_upper,
        "registration_date": first.isoformat(),
    }
    return _finish("business_registration", [form], fields, variant="doanh_nghiep")


_OTHER_SENTENCES = [
    "Thực hiện kế hoạch cải cách hành chính năm nay, Ủy ban nhân dân xã tiếp tục đẩy mạnh số hóa hồ sơ.",
    "Bộ phận một cửa tiếp nhận hồ sơ vào các ngày làm việc trong tuần, sáng từ 7 giờ 30 đến 11 giờ 30.",
    "Công dân khi đến làm thủ tục cần mang theo thẻ căn cước hoặc giấy tờ tùy thân còn giá trị sử dụng.",
    "Kết quả giải quyết thủ tục hành chính được trả trực tiếp hoặc qua dịch vụ bưu chính công ích.",
    "Các thôn, tổ dân phố có trách nhiệm thông báo rộng rãi nội dung này đến từng hộ gia đình.",
    "Cán bộ tư pháp - hộ tịch chịu trách nhiệm hướng dẫn người dân nộp hồ sơ trực tuyến.",
    "Đề nghị các đơn vị liên quan phối hợp thực hiện nghiêm túc và báo cáo kết quả trước ngày cuối tháng.",
    "Hội nghị đã thống nhất các nội dung chính và giao nhiệm vụ cụ thể cho từng bộ phận chuyên môn.",
    "Trong quá trình thực hiện, nếu có vướng mắc đề nghị phản ánh về văn phòng để được hướng dẫn.",
    "Việc chuyển đổi hồ sơ giấy sang bản điện tử phải bảo đảm tính chính xác và đầy đủ của thông tin.",
]
_OTHER_TITLES = ["THÔNG BÁO", "BIÊN BẢN", "KẾ HOẠCH", "GIẤY MỜI"]


def other(rng: random.Random) -> RenderedDocument:
    form = Form(rng, Style.random(rng))
    place = v.random_place(rng)
    d = v.random_date(rng, date(2023, 1, 1), date(2026, 11, 20))
    number = f"Số: {rng.randint(1, 300)}/{rng.choice(['TB', 'BB', 'KH', 'GM'])}-UBND"
    form.two_column_header([*_commune_header(place), (number, False)])
    form.canvas.text((form.right, form.y), _place_date(place, d), form.italic(), align="right")
    form.skip(1.5)
    form.title(rng.choice(_OTHER_TITLES), scale=1.35)
    form.skip(0.3)
    sentences = rng.sample(_OTHER_SENTENCES, k=rng.randint(5, 8))
    for i in range(0, len(sentences), 2):
        form.paragraph(" ".join(sentences[i : i + 2]))
        form.skip(0.2)
    form.skip(0.5)
    form.signature_block([("TM. ỦY BAN NHÂN DÂN", "bold"), ("CHỦ TỊCH", "bold")], _signer(rng))
    return _finish("other", [form], {})
