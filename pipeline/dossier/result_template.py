"""Results generated from a template, for the simple certificates a commune issues itself.

A confirmation (xác nhận tình trạng hôn nhân, xác nhận cư trú, trích lục…) is a short fixed
text with the applicant's particulars. The processing officer gives the content; the layout,
header and the dossier code come from here. The signatures are added afterwards (official, then
seal), so the page leaves their place free at the bottom right.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pipeline.documents.types import BY_NAME, OTHER
from pipeline.dossier.receive import DossierView
from pipeline.dossier.slip import FONT, FONT_BOLD, _register_fonts, _wrap

# Results a commune issues that are not document types sohoa reads from scans (the registry's
# types take their printed title from pipeline/documents/types instead).
TITLES = {
    "marital_status_confirmation": "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "residence_confirmation": "GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ",
    "death_certificate": "TRÍCH LỤC KHAI TỬ",
    "signature_certification": "LỜI CHỨNG CHỨNG THỰC CHỮ KÝ",
}
GENERIC_TITLE = "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
ELECTRONIC = " (BẢN ĐIỆN TỬ)"


def _registry_titles(doc_type: str | None) -> tuple[str, ...]:
    """The printed titles of a registry type (first is the usual one); none for other names."""
    if not doc_type or doc_type not in BY_NAME or doc_type == OTHER.name:
        return ()
    return BY_NAME[doc_type].spec.titles


def result_title(doc_type: str | None, procedure_name: str | None = None) -> str:
    """The title printed on a generated result of ``doc_type``.

    A registry type prints its own title, marked as the electronic copy; where it has several
    (đăng ký doanh nghiệp / hộ kinh doanh) the one sharing most words with the procedure's name.
    """
    if doc_type in TITLES:
        return TITLES[doc_type]
    titles = _registry_titles(doc_type)
    if not titles:
        return GENERIC_TITLE
    words = set((procedure_name or "").casefold().split())
    best = max(titles, key=lambda t: (len(words & set(t.casefold().split())), -titles.index(t)))
    return best if "(" in best else best + ELECTRONIC


def render_result(
    view: DossierView,
    doc_type: str,
    content: str,
    *,
    organisation: str,
    place: str | None = None,
    issued_on: date,
    font: Path | None = None,
) -> bytes:
    """One A4 page: header, title, the applicant's particulars, ``content``, the dossier code."""
    _register_fonts(font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    title = result_title(doc_type, view.procedure_name)
    canvas.setTitle(f"{title} - {view.code}")
    canvas.setAuthor(organisation)
    canvas.setCreator("sohoa")
    width, height = A4
    left, right = 22 * mm, width - 22 * mm
    y = height - 20 * mm
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawCentredString(left + 38 * mm, y, organisation.upper())
    canvas.drawCentredString(right - 48 * mm, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    y -= 5.5 * mm
    canvas.drawCentredString(right - 48 * mm, y, "Độc lập - Tự do - Hạnh phúc")
    y -= 8 * mm
    canvas.setFont(FONT, 10)
    canvas.drawRightString(
        right,
        y,
        f"{place + ', ' if place else ''}ngày {issued_on:%d} tháng {issued_on:%m} năm {issued_on:%Y}",
    )
    y -= 14 * mm
    canvas.setFont(FONT_BOLD, 14)
    canvas.drawCentredString(width / 2, y, title)
    y -= 12 * mm
    lines = [
        f"Họ và tên: {view.applicant_name or ''}",
        f"Số định danh cá nhân: {view.applicant_id}",
        f"Theo hồ sơ số {view.code} ({view.procedure_name or ''}, mã thủ tục {view.procedure or ''}).",
        "",
        *content.splitlines(),
    ]
    for text in lines:
        for part in _wrap(text, FONT, 11.5, right - left):
            canvas.setFont(FONT, 11.5)
            canvas.drawString(left, y, part)
            y -= 7 * mm
    y -= 6 * mm
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawCentredString(right - 40 * mm, y, "TM. ỦY BAN NHÂN DÂN")
    canvas.setFont(FONT, 8)
    canvas.drawString(left, 14 * mm, f"Bản điện tử có chữ ký số; mã hồ sơ {view.code}.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
