"""The UI in a real browser (Debian's Chromium driven by Playwright) against uvicorn and
PostgreSQL: an operator logs in, onboards a partner through the whole wizard (with a test
upload), the partner sends an 850 through the API, the operator finds it by ISA13 and by PO
number, opens its timeline, sees the highlighted error of a bad file, replays a dead-lettered
step and logs out. Each page is screenshotted (under the test's tmp folder) and checked with
axe-core: no serious or critical accessibility violations.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.erp.base import PermanentErpError
from gateway.pipeline.runtime import DeliveryOutcome, ErpTargetInfo
from gateway.store.enums import MessageStatus
from gateway.store.models import Message
from tests.gateway.api.conftest import X12, Gateway
from tests.web.conftest import PASSWORD, variant

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class RefusingOnceErp:
    """The ERP refuses the first document it is sent (a dead letter), then takes them all."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.refused = False

    def deliver(
        self,
        *,
        target: ErpTargetInfo,
        document: dict[str, Any],
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryOutcome:
        if not self.refused:
            self.refused = True
            raise PermanentErpError("400: unknown item AC-HX-1420", status_code=400)
        outcome: DeliveryOutcome = self.inner.deliver(
            target=target,
            document=document,
            document_id=document_id,
            message_id=message_id,
            test=test,
        )
        return outcome


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = "Debian's Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("EDI_REQUIRE_SERVICES"):
            pytest.fail(reason + "; .ci/run installs it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        # axe is injected as a script: the pages' CSP (script-src 'self') would refuse it
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


class Visit:
    """Screenshots and accessibility checks of each page the test passes through."""

    def __init__(self, page: Any, folder: Path):
        self.page = page
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.checked: list[str] = []

    def check(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async () => { const r = await axe.run(document);"
            " return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,"
            " impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))}; }"
        )
        assert result["passes"] > 10, f"{name}: axe did not run its rules"
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{name}: {bad}"
        self.checked.append(name)


def test_an_operator_onboards_traces_and_replays_in_the_browser(
    ui: Gateway, live_url: str, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    visit = Visit(page, tmp_path / "screenshots")
    samples = tmp_path / "samples"
    samples.mkdir()
    good = variant("000007001", "PO-ACME-7001", sender="ACMEBUYER1")
    bad = variant("000007002", "PO-ACME-7002", sender="ACMEBUYER1", bad_date=True)
    (samples / "good.x12").write_bytes(good)
    (samples / "bad.x12").write_bytes(bad)

    # log in
    page.goto(f"{live_url}/")
    assert page.url.startswith(f"{live_url}/login")
    visit.check("login")
    page.fill("#username", "operator")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{live_url}/")
    assert page.locator("h1").inner_text() == "Dashboard"
    visit.check("dashboard")

    # the onboarding wizard: identity -> channel -> documents -> ERP -> test -> live
    page.click("text=Partners")
    visit.check("partners")
    page.click("text=Onboard a partner")
    page.fill("#name", "Acme Buyer")
    page.fill("#isa", "ZZ:ACMEBUYER1")
    page.fill("#gs_id", "ACMEBUYER1")
    page.select_option("#x12_version", "004010")
    visit.check("wizard-identity")
    page.click("button:has-text('Create partner')")
    page.wait_for_url(re.compile(r".*/wizard/channel$"))
    assert page.locator("#as2").is_visible() and "later release" in page.content()
    page.click("button:has-text('Issue an API key')")
    key = page.locator("#api-key").inner_text().strip()
    assert key.startswith("gwk_")
    visit.check("wizard-channel")
    page.click("text=Next: documents")
    page.check("#in-850")
    page.check("#out-855")
    page.select_option("#ack", "997")
    visit.check("wizard-documents")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url(re.compile(r".*/wizard/erp$"))
    page.select_option("#erp", "demo")
    page.select_option("#test_erp", "demo")
    visit.check("wizard-erp")
    page.click("button:has-text('Save and continue')")
    page.wait_for_url(re.compile(r".*/wizard/test$"))
    page.set_input_files("#sample", str(samples / "bad.x12"))
    page.click("button:has-text('Validate')")
    report = page.locator("#report").locator("..").inner_text()
    assert "The file has errors" in report and "BEG05" in report and "20241399" in report
    visit.check("wizard-test-bad")
    page.set_input_files("#sample", str(samples / "good.x12"))
    page.click("button:has-text('Validate')")
    assert "Valid: 1 document(s) translated" in page.content()
    page.click("button:has-text('Promote Acme Buyer to live')")
    page.wait_for_url(re.compile(r".*/partners/[0-9a-f-]+\?live=1$"))
    assert page.locator("h1 .status").inner_text() == "live"
    visit.check("partner")

    # the new partner sends its 850 (the ERP refuses the first delivery: a dead letter) and
    # a bad file
    ui.runtime.erp = RefusingOnceErp(ui.runtime.erp)
    auth = {"Authorization": f"Bearer {key}", **X12}
    with httpx.Client(base_url=live_url, timeout=30) as api:
        sent = api.post("/api/v1/inbound", content=good, headers=auth)
        assert sent.status_code == 202, sent.text
        assert api.post("/api/v1/inbound", content=bad, headers=auth).status_code == 202
    ui.drain()
    message_id = sent.json()["message_id"]

    # found by ISA13: one match opens the message page
    page.fill("input[type=search][name=q]", "7001")
    page.press("input[type=search][name=q]", "Enter")
    page.wait_for_url(re.compile(rf".*/messages/{message_id}.*"))
    assert "PO-ACME-7001" in page.locator("dl.facts").inner_text()
    assert "000007001" in page.content()
    timeline = page.locator("ol.timeline").inner_text()
    assert "received" in timeline and "translated" in timeline
    visit.check("message-by-isa13")

    # found by PO number
    page.fill("input[type=search][name=q]", "PO-ACME-7001")
    page.press("input[type=search][name=q]", "Enter")
    page.wait_for_load_state()
    assert (
        f"/messages/{message_id}" in page.url
        or page.locator(f"a[href='/messages/{message_id}']").count()
    )
    if "/messages/" not in page.url:
        visit.check("trace-by-po")
        page.click(f"a[href='/messages/{message_id}']")
    assert "Timeline" in page.content()

    # the bad file's error is highlighted at its element
    page.fill("input[type=search][name=q]", "000007002")
    page.press("input[type=search][name=q]", "Enter")
    page.wait_for_selector("mark.el-error")
    assert page.locator("mark.el-error").inner_text() == "20241399"
    assert "BEG05" in page.locator("li.seg-error").inner_text()
    visit.check("message-bad-file")

    # the dead-lettered delivery is replayed from the exceptions page
    page.click("nav >> text=Exceptions")
    assert "unknown item AC-HX-1420" in page.content()
    visit.check("exceptions")
    page.check("input[name=step_id]")
    page.click("button:has-text('Replay selected')")
    assert "Replayed 1 step(s)" in page.content()
    ui.drain()
    with ui.sessions() as session:
        message = session.get(Message, uuid.UUID(message_id))
        assert message is not None and message.status == MessageStatus.DELIVERED
    page.goto(f"{live_url}/messages/{message_id}")
    assert "delivered" in page.locator("h1").inner_text()
    visit.check("message-delivered")

    # log out: the pages need a login again
    page.click("button:has-text('Log out')")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto(f"{live_url}/exceptions")
    assert "/login" in page.url
    assert len(list((tmp_path / "screenshots").glob("*.png"))) == visit.count >= 12
