"""The worklist page in a real browser: Debian's chromium driven by Playwright.

Sign in with a roster person's token, see the case in "my cases", open it, take an action
with its form, and find it in the ledger with that person as the actor. `make test`
installs chromium with apt when it is missing; Playwright never downloads a browser.
"""

from __future__ import annotations

from tests.api.test_api import front, ledger_kinds, open_case  # noqa: F401  (the fixture)


async def test_sign_in_see_the_worklist_and_act(front, browser, tmp_path):  # noqa: F811
    await open_case(front, "WEB-1")
    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone

    await page.goto(front["url"] + "/")
    assert page.url.endswith("/signin")
    assert await page.get_attribute("html", "lang") == "zh-CN"
    assert await page.text_content("h1") == "登录"
    await page.fill("#token", "dt_not-a-token")
    await page.click("button[type=submit]")
    assert "该令牌无效、已被吊销" in await page.text_content("[role=alert]")

    await page.fill("#token", front["grid"])
    await page.click("button[type=submit]")
    await page.wait_for_selector("#worklist")
    assert await page.text_content("h1") == "我的案件"
    assert await page.text_content("#who") == "周网格员"
    assert "(网格员, G-01)" in await page.text_content("header")
    cases = await page.locator("#worklist [data-case]").all_inner_texts()
    assert len(cases) == 1 and "WEB-1" in cases[0] and "剩余" in cases[0]
    assert "网格 / G-01 · 办理中 · 风险：绿色" in cases[0]

    await page.click("[data-case='WEB-1']")
    assert (await page.text_content("#time-left")).startswith("剩余")
    assert await page.text_content("#level") == "网格"
    assert await page.get_attribute("#level", "data-value") == "grid"
    assert await page.text_content("#form-pause summary") == "暂停计时 等待当事人、鉴定或听证"
    await page.click("#form-pause summary")
    assert await page.text_content("#pause-reason option[value=appraisal]") == "鉴定"
    await page.select_option("#pause-reason", "appraisal")
    await page.fill("#pause-note", "water damage survey")
    await page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    await page.click("#form-pause button[type=submit]")
    await page.wait_for_selector("#message")
    assert await page.text_content("#message") == "已办理：暂停计时"
    assert await page.get_attribute("#status", "data-value") == "paused"
    assert await page.text_content("#status") == "已暂停计时"
    assert await page.text_content("#time-left") == "计时已暂停"

    kinds = await ledger_kinds(front["pool"], "WEB-1", until="paused")
    assert "paused" in kinds
    row = await front["pool"].fetchrow(
        "SELECT actor, data FROM case_events WHERE case_id = 'WEB-1' AND kind = 'paused'"
    )
    assert row["actor"] == {"name": "周网格员", "role": "grid_worker", "unit": "G-01"}
    assert row["data"]["reason"] == "appraisal"  # the form sends the machine value

    # A refusal shows the workflow's reason on the page and records nothing.
    await page.click("#form-transfer summary")
    await page.fill("#transfer-to_unit", "G-01")
    await page.fill("#transfer-reason", "same unit")
    await page.click("#form-transfer button[type=submit]")
    alert = await page.text_content("[role=alert]")
    assert alert.startswith("移交被拒绝（WEB-1）：")
    assert await ledger_kinds(front["pool"], "WEB-1") == kinds

    # `?lang=en` switches the page to English, and the choice stays for the next page.
    await page.goto(front["url"] + "/cases/WEB-1?lang=en")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.text_content("#level") == "grid"
    assert await page.text_content("#status") == "paused"
    await page.click("text=Back to my cases")
    await page.wait_for_selector("#worklist")
    assert await page.text_content("h1") == "My cases"


async def test_the_api_description_renders_from_local_files(front, browser):  # noqa: F811
    page = await browser.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(front["url"])
            else None)  # fmt: skip
    await page.goto(front["url"] + "/docs")
    await page.wait_for_selector(".opblock-summary-path[data-path='/api/cases/{case_id}/pause']")
    assert outside == []
