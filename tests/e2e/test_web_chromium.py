"""The staff page end to end in headless Chromium against a live ``sohoa serve``.

A clerk logs in, drops a scan into a new dossier and watches the job finish (real OCR), reviews
a low-confidence field beside its page image and corrects it, looks at the signing queue and
the Decision 766 dashboard. Screenshots are kept in ``tests/artifacts/`` for a person to check.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from config.settings import load_settings
from pipeline.accounts import create_user
from storage.db.dossiers import create_dossier_in
from storage.db.engine import read_session, write_session
from storage.db.migrate import upgrade_database
from storage.db.models import ExtractedField
from storage.db.records import DocumentInput, FieldInput, ObjectRef, ScanInput, record_scan
from storage.objects.base import Bucket
from storage.objects.factory import open_object_store
from tests.live_server import ServeProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "e2e"
SCAN = Path(__file__).resolve().parents[1] / "data" / "scans" / "clean_birth_certificate.pdf"
AGENCY = "H55.242"
PASSWORD = "mat-khau-thu-nghiem"
LOW_VALUE = "Nguyên Vän An"  # what a poor OCR read

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
playwright_sync = pytest.importorskip("playwright.sync_api")


def page_pdf() -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    draw.text((120, 200), "GIẤY KHAI SINH", font=font, fill="black")
    draw.text((120, 320), "Họ, chữ đệm, tên: Nguyễn Văn An", font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=150)
    return out.getvalue()


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
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
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
        page.screenshot(path=str(ARTIFACTS / "01-intake.png"))

        # Intake: a real scan through real OCR in the server's worker.
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
        browser.close()

    # The correction is in the database with who made it; OCR's reading is kept.
    engine = upgrade_database(load_settings(data_dir=data))
    with read_session(engine) as session:
        corrected = session.scalar(select(ExtractedField).where(ExtractedField.original_value == LOW_VALUE))
        assert corrected is not None and corrected.value == "Nguyễn Văn An"
        assert corrected.reviewed and corrected.reviewed_by and "canbo" in corrected.reviewed_by
    engine.dispose()
