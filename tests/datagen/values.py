"""Random but valid Vietnamese values: people, places, identifiers and dates.

Everything is drawn from a caller-supplied ``random.Random`` so that a seed reproduces a data set
exactly. Identifiers follow the real structures (CCCD province table of Circular 07/2016/TT-BCA,
century/sex digit, 10-digit enterprise codes) so that validators downstream can be tested for real.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

# CCCD birth-registration codes of the 63 provinces (Circular 07/2016/TT-BCA, annex I).
PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_CITIES = {"001", "031", "048", "079", "092"}  # centrally governed cities: "thành phố", not "tỉnh"

# Real (commune-level unit, district-level unit) pairs, before the 2025 reorganisation, for the
# provinces that addresses are drawn from. Other provinces still appear via their CCCD code.
LOCALITIES: dict[str, list[tuple[str, str]]] = {
    "001": [("phường Dịch Vọng", "quận Cầu Giấy"), ("xã Vân Canh", "huyện Hoài Đức"),
            ("phường Phúc Xá", "quận Ba Đình"), ("xã Kim Chung", "huyện Đông Anh"),
            ("xã Liên Hà", "huyện Đông Anh")],
    "079": [("phường Bến Nghé", "Quận 1"), ("phường Linh Trung", "thành phố Thủ Đức"),
            ("xã Tân Thạnh Đông", "huyện Củ Chi")],
    "027": [("phường Suối Hoa", "thành phố Bắc Ninh"), ("phường Đồng Nguyên", "thành phố Từ Sơn")],
    "040": [("phường Hưng Bình", "thành phố Vinh"), ("xã Nghi Phong", "huyện Nghi Lộc")],
    "038": [("phường Điện Biên", "thành phố Thanh Hóa"), ("xã Hoằng Quang", "huyện Hoằng Hóa")],
    "048": [("phường Hải Châu I", "quận Hải Châu"), ("xã Hòa Tiến", "huyện Hòa Vang")],
    "031": [("phường Máy Chai", "quận Ngô Quyền"), ("xã Thủy Sơn", "huyện Thủy Nguyên")],
    "036": [("phường Trần Hưng Đạo", "thành phố Nam Định"), ("xã Hải Thanh", "huyện Hải Hậu")],
    "034": [("xã Thụy Hải", "huyện Thái Thụy")],
    "092": [("phường An Hòa", "quận Ninh Kiều")],
    "089": [("phường Mỹ Bình", "thành phố Long Xuyên")],
    "096": [("xã Tắc Vân", "thành phố Cà Mau")],
    "049": [("phường Minh An", "thành phố Hội An")],
    "046": [("phường Phú Hội", "thành phố Huế")],
    "056": [("phường Vĩnh Hòa", "thành phố Nha Trang")],
    "075": [("phường Tân Phong", "thành phố Biên Hòa")],
    "074": [("phường Phú Cường", "thành phố Thủ Dầu Một")],
    "030": [("phường Trần Phú", "thành phố Hải Dương")],
    "022": [("phường Hồng Gai", "thành phố Hạ Long")],
    "019": [("phường Hoàng Văn Thụ", "thành phố Thái Nguyên")],
    "025": [("phường Gia Cẩm", "thành phố Việt Trì")],
    "033": [("xã Phụng Công", "huyện Văn Giang")],
    "037": [("xã Ninh Hải", "huyện Hoa Lư")],
    "042": [("phường Bắc Hà", "thành phố Hà Tĩnh")],
    "082": [("xã Đạo Thạnh", "thành phố Mỹ Tho")],
    "066": [("phường Tân Lợi", "thành phố Buôn Ma Thuột")],
    "064": [("phường Hội Thương", "thành phố Pleiku")],
}  # fmt: skip

FAMILY_NAMES = [
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3), ("Phan", 4),
    ("Vũ", 3), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đoàn", 1), ("Lương", 1), ("Tạ", 1), ("Quách", 1),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Xuân", "Ngọc", "Đình", "Quang", "Tiến"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Phương", "Hồng", "Thùy", "Mai", "Bích"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong",
    "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Hiếu", "Trung", "Đức", "Hoàng", "Kiên", "Lâm", "Nghĩa",
    "Phúc", "Tài", "Thành", "Toàn", "Vinh", "Khoa", "Lộc", "Quyết", "Thịnh", "Tú",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Huyền", "Lan", "Liên", "Linh",
    "Loan", "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Tuyết", "Vân", "Yến",
    "Thủy", "Ngọc", "Diệp", "Nguyệt", "Trâm", "Hiền", "Nga", "Ánh",
]  # fmt: skip
ETHNICITIES = [("Kinh", 85), ("Tày", 2), ("Thái", 2), ("Mường", 2), ("Khmer", 2), ("Hoa", 1), ("Nùng", 1),
               ("Mông", 1), ("Dao", 1), ("Ê Đê", 1)]  # fmt: skip
STREETS = ["Trần Phú", "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
           "Điện Biên Phủ", "Hùng Vương", "Nguyễn Văn Cừ", "Lê Duẩn", "Bà Triệu",
           "Phan Chu Trinh"]  # fmt: skip
VILLAGES = ["Thôn Đông", "Thôn Đoài", "Thôn Thượng", "Thôn Hạ", "Xóm 3", "Xóm 7", "Ấp 2", "Ấp Bình An",
            "Thôn Phú Mỹ", "Tổ dân phố 5", "Tổ dân phố 12", "Khu phố 4"]  # fmt: skip
NATIONALITY = "Việt Nam"


@dataclass(frozen=True)
class Place:
    """A commune-level locality; ``province_code`` is the CCCD birth-registration code."""

    commune: str
    district: str
    province_code: str

    @property
    def province(self) -> str:
        name = PROVINCES[self.province_code]
        if self.province_code in _CITIES:
            return f"thành phố {name}"
        return f"tỉnh {name}"

    @property
    def commune_name(self) -> str:
        """The bare name, without the "xã"/"phường" prefix (for headers such as "UBND XÃ ...")."""
        return self.commune.split(" ", 1)[1]

    @property
    def commune_kind(self) -> str:
        return self.commune.split(" ", 1)[0]

    def text(self) -> str:
        return f"{self.commune}, {self.district}, {self.province}"


@dataclass(frozen=True)
class Person:
    family: str
    middle: str
    given: str
    sex: str  # "Nam" or "Nữ"
    date_of_birth: date
    ethnicity: str
    origin: Place  # quê quán; its province is the birth-registration province of the CCCD
    residence: str  # full address text
    id_number: str

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)

    @property
    def name_upper(self) -> str:
        return upper(self.name)


def upper(text: str) -> str:
    return unicodedata.normalize("NFC", text.upper())


def weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items], k=1)[0]


def random_place(rng: random.Random, province_code: str | None = None) -> Place:
    code = province_code if province_code in LOCALITIES else rng.choice(sorted(LOCALITIES))
    commune, district = rng.choice(LOCALITIES[code])
    return Place(commune, district, code)


def random_address(rng: random.Random, place: Place | None = None) -> str:
    place = place or random_place(rng)
    if place.commune_kind == "phường":
        head = f"Số {rng.randint(1, 199)}, đường {rng.choice(STREETS)}"
    else:
        head = rng.choice(VILLAGES)
    return f"{head}, {place.text()}"


def century_sex_digit(year: int, sex: str) -> int:
    """0/1 for 1900s male/female, 2/3 for 2000s, 4/5 for 2100s (and 8/9 for the 1800s... not used)."""
    base = {19: 0, 20: 2, 21: 4, 22: 6}[year // 100]
    return base + (1 if sex == "Nữ" else 0)


def cccd_number(rng: random.Random, province_code: str, dob: date, sex: str) -> str:
    return (
        f"{province_code}{century_sex_digit(dob.year, sex)}{dob.year % 100:02d}{rng.randint(0, 999999):06d}"
    )


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A date in [start, end] whose day is at most 28, so that anniversaries always exist."""
    span = (end - start).days
    for _ in range(100):
        d = start + timedelta(days=rng.randint(0, span))
        if d.day <= 28:
            return d
    return start.replace(day=min(start.day, 28))


def random_name(rng: random.Random, sex: str) -> tuple[str, str, str]:
    family = weighted(rng, FAMILY_NAMES)
    if sex == "Nam":
        middle = rng.choice(MIDDLE_MALE)
        given = rng.choice(GIVEN_MALE)
        if rng.random() < 0.2:
            middle = f"{middle} {rng.choice(['Minh', 'Anh', 'Gia', 'Hoàng', 'Bảo'])}"
    else:
        middle = rng.choice(MIDDLE_FEMALE)
        given = rng.choice(GIVEN_FEMALE)
        if rng.random() < 0.2:
            middle = f"{middle} {rng.choice(['Minh', 'Thu', 'Bảo', 'Khánh', 'Hoài'])}"
    if middle.split()[-1] == given:
        given = rng.choice(GIVEN_MALE if sex == "Nam" else GIVEN_FEMALE[:10])
    return family, middle, given


def random_person(
    rng: random.Random,
    sex: str | None = None,
    born_between: tuple[date, date] = (date(1950, 1, 1), date(2006, 12, 31)),
    family: str | None = None,
    residence: str | None = None,
) -> Person:
    sex = sex or rng.choice(["Nam", "Nữ"])
    fam, middle, given = random_name(rng, sex)
    dob = random_date(rng, *born_between)
    origin = random_place(rng)
    return Person(
        family=family or fam,
        middle=middle,
        given=given,
        sex=sex,
        date_of_birth=dob,
        ethnicity=weighted(rng, ETHNICITIES),
        origin=origin,
        residence=residence or random_address(rng),
        id_number=cccd_number(rng, origin.province_code, dob, sex),
    )


def phone_number(rng: random.Random) -> str:
    prefix = rng.choice(["090", "091", "093", "094", "096", "097", "098", "086", "088", "070", "077",
                         "081", "083", "085", "032", "033", "035", "038", "039", "056", "058"])  # fmt: skip
    return f"{prefix}{rng.randint(0, 9999999):07d}"


def enterprise_code(rng: random.Random, province_code: str) -> str:
    """Enterprise codes start with the 2-digit tax-office province prefix (01 Hà Nội, 03 HCMC, ...)."""
    prefix = {"001": "01", "079": "03", "031": "02", "048": "04"}.get(
        province_code, f"{rng.randint(10, 63):02d}"
    )
    return f"{prefix}{rng.randint(0, 99999999):08d}"


def land_serial(rng: random.Random) -> str:
    letters = rng.choice(["CS", "CT", "CU", "CK", "CH", "BX", "DA", "DB"])
    return f"{letters} {rng.randint(0, 999999):06d}"


def registry_number(rng: random.Random) -> str:
    return f"{rng.choice(['CS', 'CH', 'CT'])} {rng.randint(1, 99999):05d}"


def registration_book(rng: random.Random, year: int) -> str:
    return f"{rng.randint(1, 12):02d}/{year}"


def fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def fmt_date_words(d: date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def fmt_area(area: float) -> tuple[str, str]:
    """(printed, normalised): ``112,5`` and ``112.5``; whole numbers print without decimals."""
    if float(area).is_integer():
        return f"{int(area)}", f"{int(area)}"
    printed = f"{area:.1f}"
    return printed.replace(".", ","), printed


def mrz_name(person: Person) -> str:
    """Family name, then the other names, Latin letters without diacritics, as ICAO 9303 wants."""
    rest = "<".join(plain(p) for p in f"{person.middle} {person.given}".split())
    return f"{plain(person.family)}<<{rest}"


def plain(text: str) -> str:
    """Upper-case Latin letters without diacritics (MRZ names, English company names)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.upper()
