"""What each document type of documents.md looks like on paper: titles, labels, value kinds.

Keys starting with ``_`` are labels we do not extract but must recognise, so that the value of
the field before them stops where they start ("Giới tính: Nam   Dân tộc: Kinh").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "text", "address", "name", "date", "sex", "id12", "digits", "area", "phone", "serial",
    "enterprise", "book", "procedure", "ethnicity", "nationality", "ignore",
]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    labels: tuple[str, ...]
    kind: Kind = "text"
    sectioned: bool = False  # the key gets the prefix of the section it is printed in


@dataclass(frozen=True)
class DocTypeSpec:
    doc_type: str
    titles: tuple[str, ...]  # printed titles; one near the top of a page starts a document
    fields: tuple[FieldSpec, ...]
    keywords: tuple[str, ...] = ()  # other strong evidence anywhere on the page
    # (key prefix, printed headings): "Thông tin người chồng" → husband_name, ...
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def extracted(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if not f.key.startswith("_"))

    def output_keys(self) -> list[tuple[str, FieldSpec]]:
        """Every key this type yields, in printed order, with the spec that extracts it."""
        out: list[tuple[str, FieldSpec]] = []
        for fs in self.extracted:
            if fs.sectioned:
                out.extend((prefix + fs.key, fs) for prefix, _ in self.sections)
            else:
                out.append((fs.key, fs))
        return out


def _f(key: str, kind: Kind, *labels: str) -> FieldSpec:
    return FieldSpec(key, labels, kind)


CCCD = DocTypeSpec(
    "cccd",
    titles=("CĂN CƯỚC CÔNG DÂN / Citizen Identity Card", "CĂN CƯỚC CÔNG DÂN", "THẺ CĂN CƯỚC",
            "CĂN CƯỚC / IDENTITY CARD", "CĂN CƯỚC", "Citizen Identity Card", "IDENTITY CARD"),
    fields=(
        _f("id_number", "id12", "Số / No.", "Số định danh cá nhân / Personal identification number",
           "Số định danh cá nhân / Personal identification No."),
        _f("full_name", "name", "Họ và tên / Full name",
           "Họ, chữ đệm và tên khai sinh / Full name"),
        _f("date_of_birth", "date", "Ngày sinh / Date of birth",
           "Ngày, tháng, năm sinh / Date of birth"),
        _f("sex", "sex", "Giới tính / Sex"),
        _f("nationality", "nationality", "Quốc tịch / Nationality"),
        _f("place_of_origin", "address", "Quê quán / Place of origin"),
        _f("place_of_residence", "address", "Nơi thường trú / Place of residence",
           "Nơi cư trú / Place of residence"),
        _f("expiry_date", "date", "Có giá trị đến / Date of expiry",
           "Ngày, tháng, năm hết hạn / Date of expiry"),
        _f("issue_date", "date", "Ngày, tháng, năm / Date, month, year",
           "Ngày, tháng, năm cấp / Date of issue"),
        _f("_features", "ignore", "Đặc điểm nhân dạng / Personal identification",
           "Đặc điểm nhận dạng / Personal identification"),
        _f("_birth_place", "ignore", "Nơi đăng ký khai sinh / Place of birth"),
        _f("_issuer", "ignore", "CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI",
           "BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY", "Nơi cấp / Place of issue"),
    ),
    keywords=("Personal identification", "Place of residence", "Date of expiry", "IDVNM",
              "SOCIALIST REPUBLIC OF VIET NAM", "Ngón trỏ trái", "Ngón trỏ phải"),
)

BIRTH = DocTypeSpec(
    "birth_certificate",
    titles=("GIẤY KHAI SINH", "GIẤY KHAI SINH (BẢN CHÍNH)", "GIẤY KHAI SINH (BẢN SAO)"),
    fields=(
        _f("registration_number", "digits", "Số"),
        _f("registration_book", "book", "Quyển số"),
        _f("full_name", "name", "Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên"),
        _f("date_of_birth", "date", "Ngày, tháng, năm sinh"),
        _f("sex", "sex", "Giới tính"),
        _f("ethnicity", "ethnicity", "Dân tộc"),
        _f("nationality", "nationality", "Quốc tịch"),
        _f("place_of_birth", "address", "Nơi sinh"),
        _f("place_of_origin", "address", "Quê quán"),
        _f("id_number", "id12", "Số định danh cá nhân"),
        _f("mother_name", "name", "Họ, chữ đệm, tên người mẹ", "Họ và tên người mẹ"),
        _f("father_name", "name", "Họ, chữ đệm, tên người cha", "Họ và tên người cha"),
        _f("_in_words", "ignore", "ghi bằng chữ", "bằng chữ"),
        _f("_residence", "ignore", "Nơi cư trú"),
        _f("_year_of_birth", "ignore", "Năm sinh"),
        _f("_reg_place", "ignore", "Nơi đăng ký khai sinh", "Nơi đăng ký"),
        _f("_reg_date", "ignore", "Ngày, tháng, năm đăng ký", "Ngày đăng ký"),
        _f("_declarant", "ignore", "Người đi đăng ký khai sinh", "Họ, chữ đệm, tên người đi khai sinh"),
        _f("_signer", "ignore", "NGƯỜI KÝ GIẤY KHAI SINH"),
    ),
    keywords=("khai sinh", "người mẹ", "người cha", "Nơi sinh"),
)

MARRIAGE = DocTypeSpec(
    "marriage_certificate",
    titles=("GIẤY CHỨNG NHẬN KẾT HÔN",),
    fields=(
        FieldSpec("name", ("Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên"), "name", True),
        FieldSpec("date_of_birth", ("Ngày, tháng, năm sinh", "Ngày sinh"), "date", True),
        FieldSpec("ethnicity", ("Dân tộc",), "ethnicity", True),
        FieldSpec("nationality", ("Quốc tịch",), "nationality", True),
        FieldSpec("place_of_residence", ("Nơi cư trú", "Nơi thường trú"), "address", True),
        FieldSpec("id_number", ("Số định danh cá nhân", "Số CCCD"), "id12", True),
        _f("registration_number", "digits", "Số"),
        _f("registration_book", "book", "Quyển số"),
        _f("registration_date", "date", "Ngày, tháng, năm đăng ký", "Ngày đăng ký",
           "Ngày đăng ký kết hôn"),
        _f("_reg_place", "ignore", "Nơi đăng ký kết hôn", "Nơi đăng ký"),
        _f("_id_paper", "ignore", "Giấy tờ tùy thân"),
    ),
    keywords=("kết hôn", "người chồng", "người vợ"),
    sections=(
        ("husband_", ("Thông tin người chồng", "Thông tin về người chồng", "Người chồng", "Chồng")),
        ("wife_", ("Thông tin người vợ", "Thông tin về người vợ", "Người vợ", "Vợ")),
    ),
)

LAND = DocTypeSpec(
    "land_use_certificate",
    titles=("GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT",
            "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
            "QUYỀN SỬ DỤNG ĐẤT", "QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
            "QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT"),
    fields=(
        _f("certificate_serial", "serial", "Số phát hành"),
        _f("holder_name", "name", "Ông", "Bà", "Ông/Bà", "Người sử dụng đất"),
        _f("holder_id_number", "id12", "CCCD số", "Số định danh", "Số định danh cá nhân", "Số CCCD"),
        _f("parcel_number", "digits", "Thửa đất số"),
        _f("map_sheet_number", "digits", "Tờ bản đồ số"),
        _f("land_address", "address", "Địa chỉ", "Địa chỉ thửa đất"),
        _f("area_m2", "area", "Diện tích"),
        _f("registry_number", "text", "Số vào sổ cấp GCN", "Số vào sổ cấp giấy chứng nhận"),
        _f("_holder", "ignore", "Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
           "Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất"),
        _f("_holder_address", "ignore", "Địa chỉ thường trú"),
        _f("_use_form", "ignore", "Hình thức sử dụng"),
        _f("_purpose", "ignore", "Mục đích sử dụng"),
        _f("_term", "ignore", "Thời hạn sử dụng"),
        _f("_origin", "ignore", "Nguồn gốc sử dụng"),
        _f("_birth_year", "ignore", "Sinh năm", "Năm sinh"),
        _f("_land", "ignore", "Thửa đất", "Thửa đất, nhà ở và tài sản khác gắn liền với đất"),
        _f("_house", "ignore", "Nhà ở"),
        _f("_works", "ignore", "Công trình xây dựng khác"),
        _f("_note", "ignore", "Ghi chú"),
    ),
    keywords=("Thửa đất", "Tờ bản đồ", "quyền sử dụng đất", "Diện tích", "Số phát hành"),
)

APPLICATION = DocTypeSpec(
    "application_form",
    titles=("TỜ KHAI", "ĐƠN ĐỀ NGHỊ", "ĐƠN YÊU CẦU", "PHIẾU YÊU CẦU"),
    fields=(
        _f("full_name", "name", "Họ và tên người yêu cầu", "Họ, chữ đệm, tên người yêu cầu"),
        _f("id_number", "id12", "Số định danh cá nhân", "Số CCCD"),
        _f("date_of_birth", "date", "Ngày sinh", "Ngày, tháng, năm sinh"),
        _f("place_of_residence", "address", "Nơi cư trú"),
        _f("phone", "phone", "Số điện thoại", "Điện thoại"),
        _f("procedure_name", "procedure", "giải quyết thủ tục", "Đề nghị giải quyết thủ tục",
           "Thủ tục đề nghị giải quyết"),
        _f("_relation", "ignore", "Quan hệ với người được"),
        _f("_email", "ignore", "Email", "Thư điện tử"),
        _f("_kinh_gui", "ignore", "Kính gửi"),
        _f("_promise", "ignore", "Tôi cam đoan"),
    ),
    keywords=("người yêu cầu", "Kính gửi", "thủ tục", "Tôi cam đoan"),
)

BUSINESS = DocTypeSpec(
    "business_registration",
    titles=("GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ KINH DOANH"),
    fields=(
        _f("enterprise_code", "enterprise", "Mã số doanh nghiệp", "Mã số hộ kinh doanh",
           "Mã số đăng ký hộ kinh doanh"),
        _f("name", "text", "Tên doanh nghiệp viết bằng tiếng Việt", "Tên công ty viết bằng tiếng Việt",
           "Tên hộ kinh doanh", "Tên doanh nghiệp", "Tên công ty"),
        _f("address", "address", "Địa chỉ trụ sở chính", "Địa chỉ địa điểm kinh doanh",
           "Địa điểm kinh doanh"),
        _f("legal_representative", "name", "Họ và tên", "Chủ hộ kinh doanh", "Họ, chữ đệm, tên"),
        _f("registration_date", "date", "Đăng ký lần đầu", "Ngày đăng ký lần đầu"),
        _f("_foreign_name", "ignore", "Tên doanh nghiệp viết bằng tiếng nước ngoài",
           "Tên công ty viết bằng tiếng nước ngoài"),
        _f("_short_name", "ignore", "Tên doanh nghiệp viết tắt", "Tên công ty viết tắt"),
        _f("_capital", "ignore", "Vốn điều lệ", "Vốn kinh doanh"),
        _f("_phone", "ignore", "Điện thoại"),
        _f("_change", "ignore", "Đăng ký thay đổi lần thứ"),
        _f("_rep", "ignore", "Người đại diện theo pháp luật của công ty",
           "Người đại diện theo pháp luật của doanh nghiệp", "Người đại diện theo pháp luật"),
        _f("_sex", "ignore", "Giới tính"),
        _f("_title", "ignore", "Chức danh"),
        _f("_dob", "ignore", "Sinh ngày"),
        _f("_ethnicity", "ignore", "Dân tộc"),
        _f("_nationality", "ignore", "Quốc tịch"),
        _f("_id", "ignore", "Số định danh cá nhân"),
        _f("_contact", "ignore", "Địa chỉ liên lạc"),
    ),
    keywords=("doanh nghiệp", "kinh doanh", "Vốn điều lệ", "Mã số doanh nghiệp"),
)

OTHER = DocTypeSpec("other", titles=(), fields=())

# Printed furniture of every form that looks like a label ("ghi rõ họ, chữ đệm, tên" under a
# signature); recognised so that it never passes for the field it resembles.
COMMON_IGNORE: tuple[FieldSpec, ...] = (
    _f("_sign_note", "ignore", "Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu",
       "Ký, ghi rõ họ, chữ đệm, tên", "Ký, ghi rõ họ tên", "Ký, ghi rõ họ, tên"),
)


def _with_common(spec: DocTypeSpec) -> DocTypeSpec:
    from dataclasses import replace

    return replace(spec, fields=spec.fields + COMMON_IGNORE)


CCCD, BIRTH, MARRIAGE, LAND, APPLICATION, BUSINESS = (
    _with_common(s) for s in (CCCD, BIRTH, MARRIAGE, LAND, APPLICATION, BUSINESS)
)
DOC_TYPES: tuple[DocTypeSpec, ...] = (CCCD, BIRTH, MARRIAGE, LAND, APPLICATION, BUSINESS)
BY_NAME: dict[str, DocTypeSpec] = {spec.doc_type: spec for spec in (*DOC_TYPES, OTHER)}
