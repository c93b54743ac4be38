"""A dossier's result from the staff page: the processing officer generates it from the template,
the competent official signs it and the seal holder seals it, each through their own local
signing agent (SoftHSM keys official-rsa and seal), then the officer returns it.

Headless Chromium (Debian's) on a live ``sohoa serve``; two live ``sohoa sign-client --serve``
agents; poppler's ``pdfsig`` checks the filed result. Screenshots go to ``tests/artifacts/e2e/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from signing.testpki import ORGANISATION
from tests.api.agent_process import AgentProcess
from tests.api.conftest import AGENCY_A, OWNER_ID, PASSWORD, Api
from tests.api.live import LiveServer
from tests.api.test_signing_agent import login
from tests.e2e.chromium import (
    ARTIFACTS,
    chromium,
    fingerprint,
    no_horizontal_overflow,
    pair_agent,
    shot,
    sign_in,
)
from tests.signing.conftest import OFFICIAL_NAME, PkiFixture, assert_pdfsig_valid

PROCEDURE = "1.004873"  # Giấy xác nhận tình trạng hôn nhân


def log_in(browser: Any, server: LiveServer, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, server.url, username, PASSWORD)
    return page


def sign_all_through(page: Any, agent: AgentProcess, stamp_label: str) -> None:
    """The signer's page: pair with their agent, tick everything queued, sign, wait for 'Đã ký'."""
    page.click("nav button[data-tab=signing]")
    page.wait_for_selector(f"#signing-list td:has-text('{stamp_label}')")
    box = page.locator("#agent-signing")
    box.locator(".agent-status.error").wait_for()
    pair_agent(box, agent)
    box.locator("tbody tr").first.wait_for()
    box.locator("input.agent-all").check()
    box.locator("button.agent-sign").click()
    page.wait_for_selector("#agent-signing .agent-batch:has-text('Đã ký 1, bị từ chối 0.')", timeout=240_000)


def open_dossier(page: Any, code: str) -> None:
    page.click("nav button[data-tab=search]")
    page.fill("#search-form input[name=q]", code)
    page.click("#search-form button[type=submit]")
    page.click(f"#search-results tr[data-code='{code}']")
    page.wait_for_selector("#tab-dossier:not([hidden]) #dossier-result h3")


@pytest.mark.slow
def test_result_generated_signed_sealed_and_returned_from_the_page(
    live: tuple[Api, LiveServer, dict[str, str]],
    pki: PkiFixture,
    start_agent: Callable[[str], AgentProcess],
    tmp_path: Path,
) -> None:
    api, server, _env = live
    http = httpx.Client(base_url=server.url, timeout=60)
    api.user("xuly", ["clerk"], [AGENCY_A])
    api.user("chutich", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "official_rsa"))
    api.user("vanthu", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "seal"))
    officer = {"Authorization": f"Bearer {login(http, 'xuly')}"}
    received = http.post(
        "/api/v1/dossiers/receive",
        json={"agency": AGENCY_A, "procedure": PROCEDURE, "applicant": OWNER_ID, "name": "Phan Công Sơn"},
        headers=officer,
    )
    assert received.status_code == 200, received.text
    code = received.json()["code"]
    official_agent = start_agent("official-rsa")
    seal_agent = start_agent("seal")
    with chromium() as browser:
        page = log_in(browser, server, "xuly")
        open_dossier(page, code)
        form = page.locator("#result-form")
        page.set_viewport_size({"width": 390, "height": 844})  # the form fits a phone too
        form.locator("input[name=how][value=template]").check()
        no_horizontal_overflow(page, 390)
        page.set_viewport_size({"width": 1280, "height": 900})
        assert form.locator("textarea[name=content]").is_visible()
        assert not form.locator("input[name=file]").is_visible()
        form.locator("textarea[name=content]").fill("Chưa đăng ký kết hôn với ai tại xã Tân Phú.")
        form.locator("input[name=place]").fill("Tân Phú")
        form.locator("input[name=official]").fill("chutich")
        form.locator("input[name=seal]").fill("vanthu")
        form.locator("#result-submit").click()
        page.wait_for_selector("#result-stage[data-stage=awaiting_official]")
        page.screenshot(path=str(ARTIFACTS / "20-result-queued.png"), full_page=True)
        page.locator("#dossier-result").scroll_into_view_if_needed()
        shot(page, "10-ket-qua-cho-ky")

        signer = log_in(browser, server, "chutich")
        sign_all_through(signer, official_agent, "Kết quả (cán bộ có thẩm quyền ký)")
        signer.screenshot(path=str(ARTIFACTS / "21-result-signed.png"), full_page=True)
        shot(signer, "11-ky-ket-qua", full_page=True)
        page.click("#dossier-refresh")
        page.wait_for_selector("#result-stage[data-stage=awaiting_seal]")

        sealer = log_in(browser, server, "vanthu")
        sign_all_through(sealer, seal_agent, "Kết quả (đóng dấu cơ quan)")

        page.click("#dossier-refresh")
        page.wait_for_selector("#result-stage[data-stage=issued]")
        assert "Đã có kết quả" in page.inner_text("#dossier-facts")
        page.click("#result-return")
        page.wait_for_selector("#dossier-facts dd:has-text('Đã trả kết quả')")
        assert "Trả kết quả" not in [b.inner_text() for b in page.locator("#dossier-result button").all()]
        page.set_viewport_size({"width": 390, "height": 844})  # a phone-width window
        page.locator("#dossier-result").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "22-result-returned-390.png"), full_page=True)
        shot(page, "12-tra-ket-qua-dien-thoai")
        no_horizontal_overflow(page, 390)
        citizen = page.locator("#citizen-link").get_attribute("href")

    key = api.key("dvc", ["results:read"], [AGENCY_A])
    pdf = http.get(f"/api/v1/results/dossiers/{code}", headers=key)
    assert pdf.status_code == 200, pdf.text
    out = tmp_path / "result.pdf"
    out.write_bytes(pdf.content)
    assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME, ORGANISATION])
    assert citizen is not None
    page_text = http.get(citizen).text
    assert "Đã trả kết quả" in page_text and "Kết quả có chữ ký số hợp lệ" in page_text, page_text
