"""Only the actions that apply: `GET /api/cases/{id}` says what the reader may do on the case
now (`allowed_actions`, by the checks the workflow's validators run), and the case page offers
a form for those and no other — in a real browser too."""

from __future__ import annotations

import re

import httpx

from api.auth import COOKIE
from ledger import tokens
from tests.api.test_api import bearer, front, ledger_kinds, open_case  # noqa: F401  (the fixture)
from tests.api_helpers import person_token
from tests.browser import browser  # noqa: F401  (the fixture)


async def detail(front, case_id: str, token: str) -> dict:  # noqa: F811
    answer = await front["http"].get(f"/api/cases/{case_id}", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def forms_on_page(front, case_id: str, token: str) -> set[str]:  # noqa: F811
    async with httpx.AsyncClient(base_url=front["url"], cookies={COOKIE: token}) as web:
        page = await web.get(f"/cases/{case_id}")
    assert page.status_code == 200, page.text
    return set(re.findall(r'<details id="form-([a-z-]+)"', page.text))


async def resolve(front, case_id: str) -> None:  # noqa: F811
    answer = await front["http"].post(
        f"/api/cases/{case_id}/outcome",
        json={"outcome": "resolved", "agreement": "repaid in two instalments"},
        headers=bearer(front["grid"]),
    )
    assert answer.status_code == 200, answer.text


async def test_an_open_case_offers_its_handler_the_handlers_actions_only(front):  # noqa: F811
    await open_case(front, "ALLOW-1")

    allowed = (await detail(front, "ALLOW-1", front["grid"]))["allowed_actions"]

    assert {"outcome", "pause", "contact", "regrade", "transfer"} <= set(allowed)
    # Not a paused case's, a supervisor's, a party's, a resolved case's nor a duty's.
    assert not set(allowed) & {"resume", "extend", "pull-up", "escalate", "withdraw", "visit",
                               "whistle", "check-in", "rule-decline"}  # fmt: skip
    assert await forms_on_page(front, "ALLOW-1", front["grid"]) == set(allowed)


async def test_a_paused_case_offers_resume_not_pause(front):  # noqa: F811
    await open_case(front, "ALLOW-2")
    paused = await front["http"].post(
        "/api/cases/ALLOW-2/pause", json={"reason": "hearing"}, headers=bearer(front["grid"])
    )
    assert paused.status_code == 200, paused.text

    allowed = set((await detail(front, "ALLOW-2", front["grid"]))["allowed_actions"])

    assert "resume" in allowed and "pause" not in allowed
    assert await forms_on_page(front, "ALLOW-2", front["grid"]) == allowed


async def test_a_resolved_case_offers_only_its_return_visit(front):  # noqa: F811
    await open_case(front, "ALLOW-3")
    await resolve(front, "ALLOW-3")

    case = await detail(front, "ALLOW-3", front["grid"])

    assert case["status"] == "resolved"
    assert case["allowed_actions"] == ["visit"]
    assert case["allowed_duty_actions"] == []
    assert await forms_on_page(front, "ALLOW-3", front["grid"]) == {"visit"}


async def test_a_party_and_a_supervisor_are_offered_their_own_actions(front):  # noqa: F811
    await open_case(front, "ALLOW-4")
    township = await person_token(
        front["pool"], "township", "Qianli Township", "曹主任", "governance_centre",
        as_role="supervisor",
    )  # fmt: skip
    applicant = (await tokens.issue(front["pool"], "张某", None, "applicant", "ALLOW-4"))[1]

    above = set((await detail(front, "ALLOW-4", township))["allowed_actions"])
    party = set((await detail(front, "ALLOW-4", applicant))["allowed_actions"])

    # Two levels above the grid: acts for the handler and pulls up, but extends not.
    assert {"outcome", "pause", "pull-up"} <= above and "extend" not in above
    assert {"escalate", "withdraw", "refuse"} <= party
    assert not party & {"outcome", "pause", "pull-up", "extend"}
    assert await forms_on_page(front, "ALLOW-4", applicant) == party


async def test_a_department_officer_is_offered_nothing_on_a_case_it_was_not_summoned_to(
    front,  # noqa: F811
):
    await open_case(front, "ALLOW-5")
    await front["pool"].execute(
        "INSERT INTO departments (code, name, unit) VALUES ('judicial_office', '千里司法所', "
        "'Qianli Township') ON CONFLICT DO NOTHING"
    )
    officer = (await tokens.issue(front["pool"], "李所长", "Qianli Township", "judicial_office"))[1]

    case = await detail(front, "ALLOW-5", officer)

    assert case["allowed_actions"] == [] and case["allowed_duty_actions"] == []
    assert await forms_on_page(front, "ALLOW-5", officer) == set()


async def test_the_page_of_a_resolved_case_offers_only_what_applies(front, browser, tmp_path):  # noqa: F811
    await open_case(front, "ALLOW-WEB")
    page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    await page.goto(front["url"] + "/signin")
    await page.fill("#token", front["grid"])
    await page.click("button[type=submit]")
    await page.wait_for_selector("#worklist")
    await page.goto(front["url"] + "/cases/ALLOW-WEB")

    # An open case: the handler's forms, the first contact among them (the response rate).
    open_forms = await page.locator("details[id^=form-]").evaluate_all("es => es.map(e => e.id)")
    assert "form-contact" in open_forms and "form-pause" in open_forms
    assert "form-visit" not in open_forms and "form-resume" not in open_forms
    assert await page.text_content("#form-contact summary") == (
        "记录联系 与申请人的联系（首次联系计入响应率）"
    )

    await page.click("#form-outcome summary")
    await page.select_option("#outcome-outcome", "resolved")
    await page.fill("#outcome-agreement", "分两期还款")
    await page.click("#form-outcome button[type=submit]")
    await page.wait_for_selector("#message")
    assert await page.get_attribute("#status", "data-value") == "resolved"

    # Resolved: the return visit waiting, and nothing else.
    forms = await page.locator("details[id^=form-]").evaluate_all("es => es.map(e => e.id)")
    assert forms == ["form-visit"]
    await page.screenshot(path=str(tmp_path / "resolved-390.png"), full_page=True)

    # Both visits recorded: nothing left for the grid worker (judicial confirmation is the
    # parties' and the court's), and the page says so.
    for visit in ("satisfaction", "performance"):
        await page.click("#form-visit summary")
        await page.select_option("#visit-visit", visit)
        await page.select_option("#visit-result", "satisfied")
        await page.click("#form-visit button[type=submit]")
        await page.wait_for_selector("#message")
    await page.goto(front["url"] + "/cases/ALLOW-WEB")
    assert await page.locator("details[id^=form-]").count() == 0
    assert await page.text_content("#no-actions") == "此案件眼下没有您可办理的事项。"
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path=str(tmp_path / "nothing-left-1280.png"), full_page=True)
