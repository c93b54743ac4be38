"""The receipt slip: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", printed for the citizen.

Laid out after the slip of the one-stop regulations (mẫu giấy tiếp nhận hồ sơ và hẹn trả kết
quả): dossier code, who submitted it, the procedure, each component and how it was received
(scanned here, or reused from data already held, never asked again), the time limit in working
days, the promised date and a QR code of the citizen's link (dossier code + unguessable token)
to follow the dossier and, later, download the signed result.

reportlab draws it (text stays text, so the slip is searchable and ``pdftotext`` reads it) with
the same DejaVu font the signature stamps embed (Vietnamese glyphs); its QR widget draws the
code as vector shapes.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.dossier.receive import ComponentStatus, DossierView
from signing.fonts import find_font

VIETNAM_TZ = timezone(timedelta(hours=7))
FONT = "SohoaSans"
FONT_BOLD = "SohoaSans-Bold"
HOW_RECEIVED = {
    "received": "Bản giấy, đã số hóa",
    "reused": "Dùng lại dữ liệu đã có",
    "held": "Đã có trong CSDL, chưa xác nhận dùng lại",
    "missing": "Chưa nộp",
}


def citizen_url(base_url: str, code: str, token: str) -> str:
    """The link in the QR code: the dossier page for the citizen (no login, token-guarded)."""
    return f"{base_url.rstrip('/')}/tra-cuu/{code}?t={token}"


def _register_fonts(font: Path | None) -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular = find_font(font)
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold if bold.exists() else regular)))


def _masked(owner: str) -> str:
    """The id number with its middle hidden: the slip is paper that can be lost."""
    return owner[:4] + "*" * (len(owner) - 7) + owner[-3:] if len(owner) > 7 else owner


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _how(component: ComponentStatus) -> str:
    how = HOW_RECEIVED.get(component.status, component.status)
    if component.status == "reused" and component.signed:
        how += " (bản điện tử đã ký số)"
    return how


def render_slip(
    view: DossierView,
    *,
    organisation: str,
    base_url: str,
    font: Path | None = None,
    printed_at: datetime | None = None,
) -> bytes:
    """The slip as PDF bytes (A4, one page for the usual ten components)."""
    _register_fonts(font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {view.code}")
    canvas.setAuthor(organisation)
    canvas.setCreator("sohoa")
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 18 * mm

    def line(text: str, *, size: float = 11, bold: bool = False, x: float = left, step: float = 6) -> None:
        nonlocal y
        font_name = FONT_BOLD if bold else FONT
        for part in _wrap(text, font_name, size, right - x):
            canvas.setFont(font_name, size)
            canvas.drawString(x, y, part)
            y -= step * mm

    def centre(text: str, *, size: float = 11, bold: bool = False, cx: float = width / 2) -> None:
        nonlocal y
        canvas.setFont(FONT_BOLD if bold else FONT, size)
        canvas.drawCentredString(cx, y, text)
        y -= 5.5 * mm

    top = y
    centre(organisation.upper(), size=10, bold=True, cx=left + 40 * mm)
    centre("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", size=9, cx=left + 40 * mm)
    y = top
    centre("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=10, bold=True, cx=right - 50 * mm)
    centre("Độc lập - Tự do - Hạnh phúc", size=10, bold=True, cx=right - 50 * mm)
    y -= 8 * mm
    centre("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", size=15, bold=True)
    centre(f"Mã hồ sơ: {view.code}", size=12, bold=True)
    y -= 4 * mm

    received = view.received_at if view.received_at.tzinfo else view.received_at.replace(tzinfo=UTC)
    local = received.astimezone(VIETNAM_TZ)
    line(f"Bộ phận tiếp nhận và trả kết quả {organisation} tiếp nhận hồ sơ của:")
    line(
        f"Ông/bà: {view.applicant_name or '(không ghi)'}    Số định danh: {_masked(view.applicant_id)}",
        x=left + 5 * mm,
    )
    if view.applicant_phone:
        line(f"Số điện thoại: {view.applicant_phone}", x=left + 5 * mm)
    line(f"Nội dung yêu cầu giải quyết: {view.procedure_name or ''} (mã thủ tục {view.procedure or ''})")
    line("Thành phần hồ sơ:", bold=True)
    canvas.setFont(FONT_BOLD, 9.5)
    canvas.drawString(left, y, "TT")
    canvas.drawString(left + 9 * mm, y, "Tên giấy tờ")
    canvas.drawString(left + 105 * mm, y, "Hình thức tiếp nhận")
    y -= 5.5 * mm
    for number, component in enumerate(view.components, start=1):
        name = component.label or component.doc_type
        if component.original_required:
            name += " (đối chiếu bản chính)"
        name_lines = _wrap(name, FONT, 9.5, 94 * mm)
        how_lines = _wrap(_how(component), FONT, 9.5, right - left - 105 * mm)
        canvas.setFont(FONT, 9.5)
        canvas.drawString(left, y, str(number))
        for i in range(max(len(name_lines), len(how_lines))):
            if i < len(name_lines):
                canvas.drawString(left + 9 * mm, y, name_lines[i])
            if i < len(how_lines):
                canvas.drawString(left + 105 * mm, y, how_lines[i])
            y -= 4.8 * mm
        y -= 1 * mm
    reused = len(view.reused)
    if reused:
        line(
            f"{reused} thành phần dùng lại dữ liệu đã có, công dân không phải nộp lại "
            "(không yêu cầu lại thông tin, giấy tờ đã có trong cơ sở dữ liệu).",
            size=9.5,
        )
    y -= 2 * mm
    days = view.processing_days
    line(f"Thời gian giải quyết theo quy định: {days if days is not None else '—'} ngày làm việc.")
    line(f"Thời gian nhận hồ sơ: {local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}.")
    promised = view.promised_date
    line(
        f"Thời gian hẹn trả kết quả: ngày {promised:%d/%m/%Y}."
        if promised
        else "Thời gian hẹn trả kết quả: theo thông báo của cơ quan giải quyết.",
        bold=True,
    )
    if view.fee_vnd:
        line(f"Lệ phí: {view.fee_vnd:,} đồng.".replace(",", "."))
    line("Kết quả được trả bằng bản điện tử có chữ ký số; quét mã QR để theo dõi hồ sơ và tải kết quả.")

    url = citizen_url(base_url, view.code, view.token)
    widget = QrCodeWidget(url, barLevel="M")
    bounds = widget.getBounds()
    side = 34 * mm
    drawing = Drawing(
        side, side, transform=[side / (bounds[2] - bounds[0]), 0, 0, side / (bounds[3] - bounds[1]), 0, 0]
    )
    drawing.add(widget)
    qr_y = y - side
    renderPDF.draw(drawing, canvas, left, qr_y)
    canvas.setFont(FONT, 7.5)
    for i, chunk in enumerate(_chunks(url, 70)):
        canvas.drawString(left + side + 4 * mm, qr_y + side - 4 * mm - i * 3.6 * mm, chunk)
    y = qr_y - 8 * mm
    sign_top = y
    centre("NGƯỜI NỘP HỒ SƠ", size=10, bold=True, cx=left + 35 * mm)
    y = sign_top
    centre("NGƯỜI TIẾP NHẬN HỒ SƠ", size=10, bold=True, cx=right - 40 * mm)
    centre(view.received_by, size=10, cx=right - 40 * mm)
    printed = (printed_at or datetime.now(UTC)).astimezone(VIETNAM_TZ)
    canvas.setFont(FONT, 7)
    canvas.drawString(left, 12 * mm, f"In lúc {printed:%H:%M %d/%m/%Y} bởi sohoa")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
