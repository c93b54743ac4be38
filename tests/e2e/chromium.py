"""What the Chromium tests share: Debian's browser, the screenshots (``tests/artifacts/e2e`` and the
guide's pictures), signing in on the staff page, and pairing the page with a local signing agent
as an official does.

Importing this module skips the importing test module where Chromium or Playwright is missing.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.api.agent_process import AgentProcess
from tests.signing.conftest import PkiFixture

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "e2e"
GUIDE_IMG = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed", allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium, closed afterwards; ``ARTIFACTS`` exists for its screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_sync.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#app-view:not([hidden])")


def shot(page: Any, name: str, *, full_page: bool = False) -> None:
    """A screenshot for the guide, reduced to a small palette PNG (committed under docs/)."""
    GUIDE_IMG.mkdir(parents=True, exist_ok=True)
    if full_page:  # the fixed status line would sit in the middle of a full-page picture
        page.evaluate("document.getElementById('status').style.visibility = 'hidden'")
    raw = page.screenshot(full_page=full_page)
    page.evaluate("document.getElementById('status').style.visibility = ''")
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    if image.height > 2400:
        image = image.crop((0, 0, image.width, 2400))
    image.quantize(colors=64).save(GUIDE_IMG / f"{name}.png", optimize=True)


def no_horizontal_overflow(page: Any, width: int) -> None:
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, f"page is {scroll} px wide at a {width} px viewport"


def fingerprint(pki: PkiFixture, name: str) -> str:
    """The SHA-256 of a test identity's certificate, as an official's account registers it."""
    return hashlib.sha256(pki.pki.identity(name).cert_der.read_bytes()).hexdigest()


def pair_agent(box: Any, agent: AgentProcess, pairing: str | None = None) -> None:
    """On the signing tab's agent box (``#agent-signing``): point the page at ``agent`` and type
    the code its terminal shows (``pairing``, by default as shown), until the page says it is paired."""
    box.locator("summary").click()
    box.locator("input[name=agent-url]").fill(agent.url)
    box.locator(".agent-url button").click()
    box.locator(".agent-pair").wait_for(state="visible")
    box.locator("input[name=pairing]").fill(agent.pairing if pairing is None else pairing)
    box.locator(".agent-pair button").click()
    box.locator(".agent-status.ok").wait_for()
