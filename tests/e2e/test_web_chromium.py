"""The staff page end to end in headless Chromium against a live ``sohoa serve``.

A clerk logs in, drops a scan into a new dossier and watches the job finish (real OCR), reviews
a low-confidence field beside its page image and corrects it, looks at the signing queue and
the Decision 766 dashboard. Screenshots are kept in ``tests/artifacts/`` for a person to check.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from config.settings import load_settings
from pipeline.accounts import create_user
from pipeline.documents.types import document_type
from storage.db.dossiers import create_dossier_in
from storage.db.engine import read_session, write_session
from storage.db.migrate import upgrade_database
from storage.db.models import ExtractedField
from storage.db.records import (
    DocumentInput,
    FieldInput,
    ObjectRef,
    ScanInput,
    add_signed_version,
    record_scan,
)
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store
from tests.e2e.chromium import ARTIFACTS, chromium, no_horizontal_overflow, shot, sign_in
from tests.live_server import ServeProcess

SCAN = Path(__file__).resolve().parents[1] / "data" / "scans" / "clean_birth_certificate.pdf"
AGENCY = "H55.242"
PASSWORD = "mat-khau-thu-nghiem"
LOW_VALUE = "Nguyên Vän An"  # what a poor OCR read


def drawn_pdf(size: tuple[int, int], font_size: int, lines: list[tuple[int, int, str]]) -> bytes:
    """A one-page 150-dpi PDF with ``lines`` (x, y, text) drawn in DejaVu Sans."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", font_size)
    for x, y, text in lines:
        draw.text((x, y), text, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=150)
    return out.getvalue()


def page_pdf() -> bytes:
    return drawn_pdf(
        (1240, 1754), 40, [(120, 200, "GIẤY KHAI SINH"), (120, 320, "Họ, chữ đệm, tên: Nguyễn Văn An")]
    )


def seed(data: Path) -> None:
    """A clerk account and a document with a field waiting for review, as intake records them."""
    settings = load_settings(data_dir=data)
    engine = upgrade_database(settings)
    store = open_object_store(settings)
    store.ensure_buckets()
    pdf = store.put_bytes(Bucket.DIGITISED, page_pdf(), content_type="application/pdf")
    ref = ObjectRef(bucket=Bucket.DIGITISED.value, key=pdf.key, sha256=pdf.sha256, size=pdf.size)
    with write_session(engine) as session:
        create_user(session, "canbo", PASSWORD, roles=["clerk"], agencies=[AGENCY], actor="test")
        dossier = create_dossier_in(session, AGENCY, actor="test")
        doc = DocumentInput(
            "birth_certificate",
            [1],
            0.6,
            {"full_name": FieldInput(LOW_VALUE, 0.41, needs_review=True)},
            searchable=ref,
            owner_fields=document_type("birth_certificate").owner_fields,
        )
        record_scan(
            session, ScanInput(pdf.sha256, "seed.pdf", pdf.size, 1, ref, [doc]), dossier=dossier, actor="test"
        )
    engine.dispose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    seed(data)
    env = {**os.environ, "SOHOA_DATA_DIR": str(data), "SOHOA_OCR__JOBS": "1"}
    live = ServeProcess(env, tmp_path / "serve.log", worker=True)  # the page's uploads need the worker
    try:
        yield live.url, data
    finally:
        live.stop()


@pytest.mark.slow
def test_clerk_flow_in_chromium(server: tuple[str, Path]) -> None:
    url, data = server
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/")
        page.fill("input[name=username]", "canbo")
        page.fill("input[name=password]", "sai-mat-khau")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#login-error:has-text('Sai tên đăng nhập')")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#app-view:not([hidden])")
        assert page.inner_text("#who-name") == "canbo"
        page.click("nav button[data-tab=intake]")
        page.screenshot(path=str(ARTIFACTS / "01-intake.png"))

        # Intake: a real scan through real OCR in the server's worker.
        page.click("nav button[data-tab=intake]")
        page.fill("#intake-form input[name=agency]", AGENCY)
        page.set_input_files("#files", str(SCAN))
        assert SCAN.name in page.inner_text("#chosen")
        page.click("#intake-submit")
        page.wait_for_selector("#status:has-text('Đã số hóa xong')", timeout=240_000)
        result = page.inner_text("#job-result tbody")
        assert SCAN.name in result and "đã số hóa" in result and "Giấy khai sinh" in result
        assert page.eval_on_selector("#job-progress", "p => p.value === p.max && p.max > 0")
        page.screenshot(path=str(ARTIFACTS / "02-intake-done.png"))

        # Review: the seeded low-confidence field, its page image, a correction.
        page.click("nav button[data-tab=review]")
        row = page.wait_for_selector(f"#review-list tr:has-text('{LOW_VALUE}')")
        row.click()
        page.wait_for_selector("#detail-pages img")
        natural_width = page.eval_on_selector("#detail-pages img", "img => img.complete && img.naturalWidth")
        assert natural_width and natural_width > 500
        field = page.locator("#detail-fields .field[data-key=full_name]")
        assert "review" in (field.get_attribute("class") or "")
        field.locator("input").fill("Nguyễn Văn An")
        page.screenshot(path=str(ARTIFACTS / "03-review.png"))
        field.locator("button", has_text="Lưu sửa").click()
        page.wait_for_selector("#status:has-text('Đã lưu trường')")
        page.wait_for_selector(f"#review-list tr:has-text('{LOW_VALUE}')", state="detached")

        # Signing queue and the dashboard render.
        page.click("nav button[data-tab=signing]")
        page.wait_for_selector("#signing-empty:not([hidden]), #signing-list tbody tr")
        page.click("nav button[data-tab=dashboard]")
        page.wait_for_selector("#charts svg")
        assert page.locator("#charts .chart").count() == 4
        assert AGENCY in page.inner_text("#report-table")
        page.screenshot(path=str(ARTIFACTS / "04-dashboard.png"), full_page=True)

    # The correction is in the database with who made it; OCR's reading is kept.
    engine = upgrade_database(load_settings(data_dir=data))
    with read_session(engine) as session:
        corrected = session.scalar(select(ExtractedField).where(ExtractedField.original_value == LOW_VALUE))
        assert corrected is not None and corrected.value == "Nguyễn Văn An"
        assert corrected.reviewed and corrected.reviewed_by and "canbo" in corrected.reviewed_by
    engine.dispose()


# ---- the one-stop dossier: receive with reuse, scan the rest, slip, dossier page, search ------

FORM_SCAN = Path(__file__).resolve().parents[1] / "data" / "scans" / "clean_application_form.jpg"
CITIZEN = "092070335645"  # the applicant of the application form scan
CITIZEN_NAME = "Phan Công Sơn"
PROCEDURE = "1.004873"  # Cấp Giấy xác nhận tình trạng hôn nhân: application_form + cccd
ORGANISATION = "UBND phường Vĩnh Hòa"
OFFICIAL_PASSWORD = "mat-khau-lanh-dao"


def card_pdf() -> bytes:
    return drawn_pdf(
        (1011, 638),
        30,
        [
            (40, 40, "CĂN CƯỚC CÔNG DÂN"),
            (40, 140, f"Số: {CITIZEN}"),
            (40, 200, f"Họ và tên: {CITIZEN_NAME.upper()}"),
        ],
    )


def seed_citizen(data: Path) -> None:
    """A clerk, an official, and the citizen's ID card digitised and signed in an earlier dossier."""
    settings = load_settings(data_dir=data)
    engine = upgrade_database(settings)
    store = open_object_store(settings)
    store.ensure_buckets()
    pdf = store.put_bytes(Bucket.DIGITISED, card_pdf(), content_type="application/pdf")
    ref = ObjectRef(bucket=Bucket.DIGITISED.value, key=pdf.key, sha256=pdf.sha256, size=pdf.size)
    with write_session(engine) as session:
        create_user(session, "canbo", PASSWORD, roles=["clerk"], agencies=[AGENCY], actor="test")
        create_user(
            session, "lanhdao", OFFICIAL_PASSWORD, roles=["official"], agencies=[AGENCY], actor="test"
        )
        earlier = create_dossier_in(session, AGENCY, actor="test")
        fields = {"id_number": FieldInput(CITIZEN, 0.99), "full_name": FieldInput(CITIZEN_NAME.upper(), 0.97)}
        doc = DocumentInput(
            "cccd", [1], 0.95, fields, searchable=ref, owner_fields=document_type("cccd").owner_fields
        )
        _scan, docs = record_scan(
            session, ScanInput(pdf.sha256, "cccd.pdf", pdf.size, 1, ref, [doc]), dossier=earlier, actor="test"
        )
        add_signed_version(session, docs[0].id, ref, signed_by="CN=Cán bộ tiếp nhận", actor="test")
    engine.dispose()


@pytest.fixture
def dossier_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    seed_citizen(data)
    env = {
        **os.environ,
        "SOHOA_DATA_DIR": str(data),
        "SOHOA_OCR__JOBS": "1",
        "SOHOA_SIGNING__ORGANISATION": ORGANISATION,
    }
    live = ServeProcess(env, tmp_path / "serve.log", worker=True)
    try:
        yield live.url, tmp_path
    finally:
        live.stop()


@pytest.mark.slow
def test_dossier_workflow_in_chromium(dossier_server: tuple[str, Path]) -> None:
    url, tmp = dossier_server
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="vi-VN")
        missing_agent: list[str] = []
        page.on("response", lambda r: missing_agent.append(r.url) if "signing-agent.js" in r.url else None)
        sign_in(page, url, "canbo", PASSWORD)
        # The receive view is the first one; the agency comes from the clerk's account.
        page.wait_for_selector(f"#procedure option[value='{PROCEDURE}']", state="attached")
        assert page.input_value("#receive-agency") == AGENCY
        page.fill("#receive-form input[name=applicant]", CITIZEN)
        page.fill("#receive-form input[name=name]", CITIZEN_NAME)
        page.fill("#receive-form input[name=phone]", "0777154203")
        page.select_option("#procedure", PROCEDURE)
        assert "Căn cước" in page.inner_text("#procedure-components")
        shot(page, "01-tiep-nhan")
        page.click("#receive-submit")
        page.wait_for_selector("#receipt:not([hidden])")
        code = page.inner_text("#receipt-code")
        assert code.startswith(f"{AGENCY}-")
        # Before anything is scanned: the ID card is held, the application form is missing.
        held = page.locator("#receipt-components tr[data-doc-type=cccd]")
        assert held.get_attribute("data-status") == "held"
        assert (
            page.locator("#receipt-components tr[data-doc-type=application_form]").get_attribute(
                "data-status"
            )
            == "missing"
        )
        assert "Hẹn trả kết quả".lower() in page.inner_text("#receipt-summary").lower()
        assert re.search(r"\d{2}/\d{2}/\d{4}", page.inner_text("#receipt-summary"))
        shot(page, "02-giay-to-da-co")
        held.locator("button.reuse", has_text="Dùng lại").click()
        page.wait_for_selector("#receipt-components tr[data-doc-type=cccd][data-status=reused]")
        # Only the missing component is scanned (real OCR in the server's worker).
        form_row = page.locator("#receipt-components tr[data-doc-type=application_form]")
        form_row.locator("input[type=file]").set_input_files(str(FORM_SCAN))
        form_row.locator("button", has_text="Tải lên").click()
        page.wait_for_selector(
            "#receipt-components tr[data-doc-type=application_form][data-status=received]", timeout=240_000
        )
        shot(page, "03-da-du-thanh-phan")
        # The receipt slip: opened for printing, and downloadable.
        assert page.locator("#slip-download").is_hidden()
        page.click("#slip-print")
        page.wait_for_selector("#slip-download:not([hidden])")
        with page.expect_download() as download:
            page.click("#slip-download")
        slip = tmp / "slip.pdf"
        download.value.save_as(slip)
        slip_text = subprocess.run(
            ["pdftotext", str(slip), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "hẹn trả kết quả" in slip_text.lower() and code in slip_text and ORGANISATION in slip_text
        for popup in page.context.pages[1:]:
            popup.close()

        # The dossier page: components, timeline, a document in the PDF viewer, a transition.
        page.click("#receipt-open")
        page.wait_for_selector("#tab-dossier:not([hidden]) #timeline li")
        assert page.inner_text("#dossier-code") == code
        statuses = page.eval_on_selector_all(
            "#dossier-components tr[data-status]", "rs => rs.map(r => r.dataset.status)"
        )
        assert sorted(statuses) == ["received", "reused"]
        timeline = page.inner_text("#timeline")
        assert "Tiếp nhận hồ sơ" in timeline and "Dùng lại giấy tờ đã có" in timeline
        assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", timeline)
        page.click("#transition-buttons button[data-state=processing]")
        page.wait_for_selector("#timeline li:has-text('Đã tiếp nhận → Đang xử lý')")
        page.click("#transition-buttons button[data-state=supplement_requested]")
        page.wait_for_selector("#status:has-text('Cần ghi lý do')")  # refused without a reason
        page.locator("#dossier-documents li").first.locator("button.view").click()
        page.wait_for_selector("#doc-viewer:not([hidden])")
        viewer = page.locator("#doc-viewer")
        assert viewer.get_attribute("data-magic") == "%PDF-"
        assert (viewer.get_attribute("src") or "").startswith("blob:")
        page.wait_for_timeout(2000)  # Chromium's PDF viewer draws the page
        shot(page, "04-trang-ho-so", full_page=True)

        # Search: by name, by a word of the OCR text of the scanned form, by id number.
        page.click("nav button[data-tab=search]")
        page.fill("#search-form input[name=q]", "Công Sơn")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector(f"#search-results tr[data-code='{code}']")
        assert "họ tên" in page.inner_text(f"#search-results tr[data-code='{code}']")
        page.fill("#search-form input[name=q]", "Trinh")  # "đường Phan Chu Trinh" in the form
        page.click("#search-form button[type=submit]")
        page.wait_for_selector(f"#search-results tr[data-code='{code}']:has-text('nội dung giấy tờ')")
        shot(page, "05-tra-cuu")
        # By id number: this dossier (the applicant) and the earlier one holding the ID card, which
        # plain intake made (no receipt record): its page shows its documents, no transitions.
        page.fill("#search-form input[name=q]", CITIZEN)
        page.click("#search-form button[type=submit]")
        page.wait_for_selector(f"#search-results tr[data-code='{code}']")
        codes = page.eval_on_selector_all(
            "#search-results tr[data-code]", "rs => rs.map(r => r.dataset.code)"
        )
        assert len(codes) == 2 and code in codes
        other = next(c for c in codes if c != code)
        page.click(f"#search-results tr[data-code='{other}']")
        # the page still shows the previous dossier (which reused that ID card) until this one loads
        page.wait_for_function(
            "c => document.querySelector('#dossier-code').textContent === c", arg=other
        )
        page.wait_for_selector("#dossier-documents li:has-text('Căn cước')")
        assert page.locator("#transitions").is_hidden()
        page.click("nav button[data-tab=search]")
        page.fill("#search-form input[name=q]", "khôngcótừnày")
        page.click("#search-form button[type=submit]")
        page.wait_for_selector("#search-empty:not([hidden])")

        # The signing view keeps a place for the local signing agent; the page works without it.
        page.click("nav button[data-tab=signing]")
        page.wait_for_selector("#signing-empty:not([hidden]), #signing-list tbody tr")
        assert page.locator("#agent-signing").count() == 1
        assert missing_agent, "the page asks for signing-agent.js"  # a 404 here: the page works without it

        # At 390 px (a phone): every view usable, nothing wider than the screen.
        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, locale="vi-VN", device_scale_factor=1
        )
        sign_in(phone, url, "lanhdao", OFFICIAL_PASSWORD)
        # An official starts at the signing queue; receiving is not offered to them.
        phone.wait_for_selector("#tab-signing:not([hidden])")
        assert phone.locator("nav button[data-tab=receive]").is_hidden()
        no_horizontal_overflow(phone, 390)
        shot(phone, "08-cho-ky-dien-thoai")
        phone.click("nav button[data-tab=search]")
        phone.fill("#search-form input[name=q]", CITIZEN)
        phone.click("#search-form button[type=submit]")
        phone.wait_for_selector(f"#search-results tr[data-code='{code}']")
        no_horizontal_overflow(phone, 390)
        shot(phone, "06-tra-cuu-dien-thoai")
        phone.click(f"#search-results tr[data-code='{code}']")
        phone.wait_for_selector("#tab-dossier:not([hidden]) #timeline li:has-text('Đang xử lý')")
        no_horizontal_overflow(phone, 390)
        shot(phone, "07-ho-so-dien-thoai", full_page=True)
        for tab in ("signing", "dashboard", "review"):
            phone.click(f"nav button[data-tab={tab}]")
            phone.wait_for_selector(f"#tab-{tab}:not([hidden])")
            phone.wait_for_timeout(300)
            no_horizontal_overflow(phone, 390)
        # The clerk's views at 390 px: receiving (with a dossier on screen) and uploading.
        clerk = browser.new_page(
            viewport={"width": 390, "height": 844}, locale="vi-VN", device_scale_factor=1
        )
        sign_in(clerk, url, "canbo", PASSWORD)
        clerk.wait_for_selector(f"#procedure option[value='{PROCEDURE}']", state="attached")
        clerk.fill("#receive-form input[name=applicant]", CITIZEN)
        clerk.fill("#receive-form input[name=name]", CITIZEN_NAME)
        clerk.select_option("#procedure", PROCEDURE)
        clerk.click("#receive-submit")
        # A second dossier of the same citizen: the form scanned for the first is offered too.
        clerk.wait_for_selector("#receipt-components tr[data-doc-type=application_form][data-status=held]")
        no_horizontal_overflow(clerk, 390)
        shot(clerk, "09-tiep-nhan-dien-thoai", full_page=True)
        clerk.click("nav button[data-tab=intake]")
        clerk.wait_for_selector("#tab-intake:not([hidden])")
        no_horizontal_overflow(clerk, 390)
