"""A 信访 matter on the worklist and its page, in a real browser (Debian's chromium driven by
Playwright): its procedure, state and windows read in Chinese, the machine names only in the
page's data attributes. Screenshots at 1280 and 390 px go to the test's folder."""

from __future__ import annotations

from tests.api.test_api import bearer, front, ledger_kinds  # noqa: F401  (the fixture)
from tests.api_helpers import person_token
from tests.test_starter import GOOD, jsonl

COUNTY = GOOD["location"]["county"]
PETITION = {
    "procedure": "petition",
    "petition": {"channel": "visit", "addressed_to": {"kind": "office", "name": "海博湾区信访局"}},
    "dispute_type": "relocation",
    "title": "回迁安置房迟迟未交付",
}


async def test_a_petition_reads_in_chinese_on_the_worklist_and_its_page(front, browser, tmp_path):  # noqa: F811
    answer = await front["http"].post(
        "/api/intake",
        content=jsonl({**GOOD, **PETITION, "case_id": "XF-PAGE-1"}),
        headers={**bearer(front["service"]), "Content-Type": "application/x-ndjson"},
    )
    assert answer.json()["results"][0]["status"] == "started", answer.text
    await ledger_kinds(front["pool"], "XF-PAGE-1", until="petition_registered")
    token = await person_token(front["pool"], "county", COUNTY, "钱督办", "supervisor")

    for width in (1280, 390):
        page = await browser.new_page(viewport={"width": width, "height": 844})
        await page.goto(front["url"] + "/signin")
        await page.fill("#token", token)
        await page.click("button[type=submit]")
        await page.wait_for_selector("#worklist")
        row = page.locator('#worklist [data-case="XF-PAGE-1"]')
        assert "信访事项 已登记" in await row.inner_text()
        await page.screenshot(path=str(tmp_path / f"worklist-petition-{width}.png"), full_page=True)

        await row.click()
        await page.wait_for_selector("#procedure")
        procedure = page.locator("#procedure")
        text = await procedure.inner_text()
        assert "信访事项 · 已登记" in text and "登记转送交办期限" in text
        assert "信访工作条例 第二十二条" in text
        assert "registered" not in text and await procedure.get_attribute("data-state") == (
            "registered"
        )
        assert await page.locator('#procedure [data-window="register"]').count() == 1
        # The matter's own record names the channel for people too (来访, not "visit").
        assert "信访事项已登记（来访）" in await page.inner_text("body")
        await page.screenshot(path=str(tmp_path / f"case-petition-{width}.png"), full_page=True)
        await page.close()
