"""An official signs two queued documents from the staff page through the local signing agent.

Headless Chromium (Debian's) drives the page of a live ``sohoa serve``; the page talks to a live
``sohoa sign-client --serve`` on another loopback port (CORS, the page's CSP and the pairing
code all for real); the agent signs with the SoftHSM token; poppler's ``pdfsig`` checks what the
server stored. Screenshots go to ``tests/artifacts/e2e/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.api.agent_process import AgentProcess
from tests.api.conftest import AGENCY_A, PASSWORD, Api
from tests.api.live import LiveServer
from tests.api.test_signing_agent import login
from tests.e2e.chromium import ARTIFACTS, chromium, fingerprint, pair_agent, sign_in
from tests.signing.conftest import OFFICIAL_NAME, PkiFixture, assert_pdfsig_valid


@pytest.mark.slow
def test_official_signs_from_the_page_through_the_agent(
    live: tuple[Api, LiveServer, dict[str, str]],
    pki: PkiFixture,
    start_agent: Callable[[str], AgentProcess],
    tmp_path: Path,
) -> None:
    api, server, _env = live
    http = httpx.Client(base_url=server.url, timeout=60)
    api.user("clerk", ["clerk"], [AGENCY_A])
    api.user("official", ["official"], [AGENCY_A], cert_sha256=fingerprint(pki, "official_rsa"))
    clerk = {"Authorization": f"Bearer {login(http, 'clerk')}"}
    queued = []
    for _ in range(3):
        _code, document_id = api.document(api.unique_pdf())
        item = http.post(
            "/api/v1/signing/queue", json={"document_id": document_id, "official": "official"}, headers=clerk
        )
        assert item.status_code == 201, item.text
        queued.append(item.json())
    agent = start_agent("official-rsa")
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(page, server.url, "official", PASSWORD)
            page.click("nav button[data-tab=signing]")
            box = page.locator("#agent-signing")
            # the agent is not where the page looks by default: it says how to start one
            box.locator(".agent-status.error").wait_for()
            assert "sohoa sign-client --serve" in box.locator(".agent-status").inner_text()

            # the official points the page at the agent and types the code its terminal shows
            pair_agent(box, agent, agent.pairing.lower())  # as typed, case aside
            assert not box.locator(".agent-pair").is_visible()
            assert "Nguyễn Văn An" in box.locator(".agent-status").inner_text()

            rows = box.locator("tbody tr")
            rows.nth(2).wait_for()
            assert rows.count() == 3
            assert queued[0]["title"] in box.inner_text()
            # meanwhile the clerk withdraws the third one: the agent refuses it, the page says why
            withdrawn = queued.pop()
            gone = http.delete(f"/api/v1/signing/queue/{withdrawn['id']}", headers=clerk)
            assert gone.status_code == 200, gone.text
            page.screenshot(path=str(ARTIFACTS / "10-agent-before.png"), full_page=True)
            box.locator("input.agent-all").check()
            box.locator("button.agent-sign").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('#agent-signing .agent-result')]"
                ".filter(c => c.textContent === 'Đã ký').length === 2",
                timeout=240_000,
            )
            page.wait_for_selector("#agent-signing .agent-batch:has-text('Đã ký 2, bị từ chối 1.')")
            refused = box.locator(f"tr[data-item='{withdrawn['id']}'] .agent-result").inner_text()
            assert refused.startswith("Bị từ chối: Không có trong hàng đợi chờ ký"), refused
            page.screenshot(path=str(ARTIFACTS / "11-agent-signed.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})  # a phone-width window
            box.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "12-agent-signed-390.png"), full_page=True)
    finally:
        output = agent.stop()
    assert queued[0]["sha256"] in output and queued[1]["sha256"] in output  # shown before the PIN

    # what the server stored: each document signed once, valid and trusted for poppler
    key = api.key("dvc", ["results:read"], [AGENCY_A])
    official = {"Authorization": f"Bearer {login(http, 'official')}"}
    for n, item in enumerate(queued):
        dossier = http.get(f"/api/v1/documents/{item['document_id']}", headers=official).json()["dossier"]
        pdf = http.get(f"/api/v1/results/dossiers/{dossier}", headers=key)
        assert pdf.status_code == 200, pdf.text
        out = tmp_path / f"signed-{n}.pdf"
        out.write_bytes(pdf.content)
        assert_pdfsig_valid(pki.nss_dir, out, [OFFICIAL_NAME])
