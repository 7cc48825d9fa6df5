"""The worklists and the case page a county works a day from, in a real browser (Debian's
chromium driven by Playwright): a township supervisor's view of its villages' cases with counts
per tab, an overdue supervised case red and first, search by a party's phone, and the case page
with the parties to call. Screenshots at 390 × 844 (a phone) go to the test's folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from api.auth import COOKIE
from tests.api.test_api import bearer, front, ledger_kinds  # noqa: F401  (the fixture)
from tests.api_helpers import person_token
from tests.test_starter import GOOD, jsonl

TOWNSHIP = "Qianli Township"
PHONE = "13812345678"


async def supervised_row(pool: asyncpg.Pool, case_id: str, overdue: timedelta) -> None:
    """A case under county supervision as the workflow's snapshot leaves it in the ledger: no
    level clock (`due_at`), overdue since the county's deadline passed (`deadline`)."""
    now = datetime.now(UTC)
    await pool.execute(
        """INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
               township, village, grid, reported_at, opened_at, policy_name, intake, level,
               status, due_at, deadline, deadline_clock)
           VALUES ($1, 'case-' || $1, 'land', 'general', 'yellow', '宅基地边界纠纷',
               'Haibowan District', $2, 'West Village', 'G-05', $3, $3, 'p', '{}'::jsonb,
               'county', 'supervised', NULL, $4, 'supervised')""",
        case_id, TOWNSHIP, now - timedelta(days=40), now - overdue,
    )  # fmt: skip


async def start_case(front, case_id: str, **extra) -> None:  # noqa: F811
    answer = await front["http"].post(
        "/api/intake",
        content=jsonl({**GOOD, "case_id": case_id, **extra}),
        headers={**bearer(front["service"]), "Content-Type": "application/x-ndjson"},
    )
    assert answer.json()["results"][0]["status"] == "started", answer.text
    await ledger_kinds(front["pool"], case_id, until="assigned")


async def test_a_township_works_its_villages_cases_from_the_worklist(front, browser, tmp_path):  # noqa: F811
    pool = front["pool"]
    parties = [
        {"name": "张春梅", "role": "applicant", "phone": PHONE},
        {"name": "刘建国", "role": "respondent", "phone": "0755-88881234"},
    ]
    await start_case(front, "TWN-VILLAGE", parties=parties, description="借款三万元未还",
                     amount_cny=30000, risk_flags=["elderly"])  # fmt: skip
    await start_case(front, "TWN-GRID")
    # The grid could not settle it: the case goes up to its village.
    answer = await front["http"].post(
        "/api/cases/TWN-VILLAGE/outcome",
        json={"outcome": "failed", "reason": "双方分歧大"},
        headers=bearer(front["grid"]),
    )
    assert answer.json()["level"] == "village", answer.text
    await supervised_row(pool, "TWN-SUPERVISED", overdue=timedelta(days=2, hours=3))
    token = await person_token(pool, "township", TOWNSHIP, "孙督办", "leader", as_role="supervisor")

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(front["url"] + "/signin")
    await page.fill("#token", token)
    await page.click("button[type=submit]")
    await page.wait_for_selector("#worklist")

    # Every case below the township, the overdue supervised one first and red.
    cases = page.locator("#worklist [data-case]")
    ids = await cases.evaluate_all("els => els.map(e => e.dataset.case)")
    assert ids[0] == "TWN-SUPERVISED" and set(ids) == {"TWN-SUPERVISED", "TWN-GRID", "TWN-VILLAGE"}
    first = cases.first
    assert await first.get_attribute("data-urgency") == "overdue"
    assert "已超期2天3小时" in await first.inner_text()
    colour = await first.locator(".when").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(176, 0, 32)"  # red
    village = await page.locator("[data-case='TWN-VILLAGE']").inner_text()
    assert "村(社区) / East Village" in village
    tabs = dict(
        zip(
            await page.locator("#tabs [data-tab]").evaluate_all(
                "els => els.map(e => e.dataset.tab)"
            ),
            await page.locator("#tabs .count").all_inner_texts(),
            strict=True,
        )
    )
    assert tabs == {"open": "3", "due_soon": "0", "overdue": "1", "supervised": "1",
                    "visits": "0", "paused": "0"}  # fmt: skip
    assert await page.text_content("#tabs [data-tab=overdue]") == "超期 1"
    await page.screenshot(path=str(tmp_path / "worklist-390.png"), full_page=True)

    await page.click("#tabs [data-tab=overdue]")
    await page.wait_for_selector("#worklist")
    shown = await page.locator("#worklist [data-case]").evaluate_all(
        "els => els.map(e => e.dataset.case)"
    )
    assert shown == ["TWN-SUPERVISED"]

    # Search by the applicant's phone, written as people write it.
    await page.click("#tabs [data-tab=open]")
    await page.fill("#q", "138 1234 5678")
    await page.click("form.search button[type=submit]")
    await page.wait_for_selector("#worklist")
    shown = await page.locator("#worklist [data-case]").evaluate_all(
        "els => els.map(e => e.dataset.case)"
    )
    assert shown == ["TWN-VILLAGE"]

    # The case page: the parties to call, what it is about, and who read them.
    await page.click("[data-case='TWN-VILLAGE']")
    await page.wait_for_selector("#parties")
    assert await page.get_attribute("#parties [data-role=applicant] a.tel", "href") == (
        f"tel:{PHONE}"
    )
    assert "张春梅" in await page.text_content("#parties [data-role=applicant]")
    assert await page.get_attribute("#parties [data-role=respondent] a.tel", "href") == (
        "tel:075588881234"
    )
    assert await page.text_content("#description") == "借款三万元未还"
    assert await page.text_content("#amount") == "¥30,000.00"
    assert await page.text_content("#risk-flags") == "涉及老年人"
    assert (await page.text_content("#dispute-type")).startswith("债务纠纷")
    assert await page.get_attribute("#level", "data-value") == "village"
    await page.screenshot(path=str(tmp_path / "case-390.png"), full_page=True)
    reads = await pool.fetch(
        "SELECT name, role, via FROM party_reads WHERE case_id = 'TWN-VILLAGE'"
    )
    assert [tuple(r) for r in reads] == [("孙督办", "supervisor", "page")]


async def test_the_api_gives_overdue_counts_scope_and_search(front):  # noqa: F811
    pool = front["pool"]
    await start_case(front, "API-PHONE", parties=[
        {"name": "张春梅", "role": "applicant", "phone": PHONE}])  # fmt: skip
    await supervised_row(pool, "API-SUPERVISED", overdue=timedelta(hours=5))
    token = await person_token(pool, "township", TOWNSHIP, "孙督办", "leader", as_role="supervisor")
    http, auth = front["http"], bearer(token)

    overdue = (await http.get("/api/cases", params={"overdue": "true"}, headers=auth)).json()
    assert [r["case_id"] for r in overdue] == ["API-SUPERVISED"]
    assert overdue[0]["overdue"] is True and overdue[0]["deadline_clock"] == "supervised"
    assert -5 * 3600 - 60 < overdue[0]["seconds_left"] <= -5 * 3600
    assert isinstance(overdue[0]["seconds_left"], int)
    counts = (await http.get("/api/cases/counts", headers=auth)).json()
    assert counts["overdue"] == 1 and counts["supervised"] == 1 and counts["open"] == 2
    found = (await http.get("/api/cases", params={"q": PHONE}, headers=auth)).json()
    assert [r["case_id"] for r in found] == ["API-PHONE"]
    under = (await http.get("/api/cases", params={"under": "West Village"}, headers=auth)).json()
    assert [r["case_id"] for r in under] == ["API-SUPERVISED"]
    # The grid worker of G-01 sees its own grid's case, not the supervised one elsewhere.
    mine = (await http.get("/api/cases", headers=bearer(front["grid"]))).json()
    assert [r["case_id"] for r in mine] == ["API-PHONE"]
    detail = (await http.get("/api/cases/API-PHONE", headers=auth)).json()
    assert detail["parties"][0] == {"name": "张春梅", "role": "applicant", "phone": PHONE}
    assert "id_number" not in detail["parties"][0]
    reads = await pool.fetch("SELECT name, via FROM party_reads WHERE case_id = 'API-PHONE'")
    assert [tuple(r) for r in reads] == [("孙督办", "api")]


async def township_case(front, case_id: str) -> str:  # noqa: F811
    """A case pulled up to the township, with the township's departments loaded; returns the
    token of a handler of the township (综治中心)."""
    pool = front["pool"]
    await pool.executemany(
        "INSERT INTO departments (code, name, unit) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [("judicial_office", "千里司法所", TOWNSHIP), ("police_station", "千里派出所", TOWNSHIP),
         ("labour", "区人社局", "Haibowan District")],
    )  # fmt: skip
    await start_case(front, case_id)
    boss = await person_token(pool, "township", TOWNSHIP, "孙督办", "leader", as_role="supervisor")
    answer = await front["http"].post(
        f"/api/cases/{case_id}/pull-up", json={"reason": "涉及多部门"}, headers=bearer(boss)
    )
    assert answer.json()["level"] == "township", answer.text
    return await person_token(pool, "township", TOWNSHIP, "孙主任", "governance_centre")


async def test_a_whistle_names_departments_in_chinese_and_an_unknown_one_is_refused(front):  # noqa: F811
    handler = await township_case(front, "WHISTLE-API")
    before = await ledger_kinds(front["pool"], "WHISTLE-API")

    refused = await front["http"].post(
        "/api/cases/WHISTLE-API/whistle",
        json={"kind": "routine", "departments": ["司法所", "水务站"], "reason": "需要法律意见"},
        headers=bearer(handler),
    )
    assert refused.status_code == 403, refused.text
    detail = refused.json()["detail"]
    assert "水务站" in detail and "司法所" in detail and "派出所" in detail
    assert await ledger_kinds(front["pool"], "WHISTLE-API") == before  # nothing recorded

    answer = await front["http"].post(
        "/api/cases/WHISTLE-API/whistle",
        json={"kind": "routine", "departments": ["司法所", "千里派出所"], "reason": "需要法律意见"},
        headers=bearer(handler),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["whistles"][0]["duties"] == {
        "judicial_office": "summoned", "police_station": "summoned",
    }  # fmt: skip


async def test_a_page_whistle_by_name_shows_the_departments(front, browser, tmp_path):  # noqa: F811
    handler = await township_case(front, "WHISTLE-WEB")
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(front["url"] + "/signin")
    await page.fill("#token", handler)
    await page.click("button[type=submit]")
    await page.goto(front["url"] + "/cases/WHISTLE-WEB")
    await page.click("#form-whistle summary")
    boxes = page.locator("#whistle-departments label")
    assert [t.split()[0] for t in await boxes.all_inner_texts()] == [
        "千里司法所", "千里派出所", "区人社局",
    ]  # fmt: skip
    await page.check("#whistle-departments input[value=judicial_office]")
    await page.check("#whistle-departments input[value=police_station]")
    await page.select_option("#whistle-kind", "routine")
    await page.fill("#whistle-reason", "需要法律意见")
    await page.click("#form-whistle button[type=submit]")
    await page.wait_for_selector("#duties")
    states = await page.locator("#duties tr[data-department]").evaluate_all(
        "rows => rows.map(r => [r.dataset.department, r.dataset.state])"
    )
    for _ in range(50):  # the duties' ledger rows are written by their own workflows
        if len(states) == 2:
            break
        await page.reload()
        states = await page.locator("#duties tr[data-department]").evaluate_all(
            "rows => rows.map(r => [r.dataset.department, r.dataset.state])"
        )
    assert sorted(states) == [["judicial_office", "summoned"], ["police_station", "summoned"]]
    row = await page.locator("#duties tr[data-department=judicial_office]").inner_text()
    assert "千里司法所" in row and "待报到" in row and "前报到" in row
    # Only the actions that apply now: no second whistle while this one waits.
    assert await page.locator("#form-whistle").count() == 0
    assert await page.locator("#form-pause").count() == 1
    await page.screenshot(path=str(tmp_path / "whistle-390.png"), full_page=True)


async def test_an_extension_in_chinese_units_works(front):  # noqa: F811
    await start_case(front, "EXTEND-ZH")
    village = await person_token(front["pool"], "village", "East Village", "吴书记", "leader",
                                 as_role="supervisor")  # fmt: skip
    answer = await front["http"].post(
        "/api/cases/EXTEND-ZH/extend", json={"by": "2小时", "reason": "等当事人返乡"},
        headers=bearer(village),
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["extended_seconds"] == 2 * 3600


async def test_the_page_links_to_the_latest_reports(front, tmp_path, monkeypatch):  # noqa: F811
    folder = tmp_path / "reports" / "monthly" / "2026-11"
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<html>十一月</html>", encoding="utf-8")
    monkeypatch.setenv("DISPUTE_REPORTS_DIR", str(tmp_path / "reports"))
    token = await person_token(front["pool"], "township", TOWNSHIP, "孙督办", "leader",
                               as_role="supervisor")  # fmt: skip
    async with httpx.AsyncClient(base_url=front["url"], cookies={COOKIE: token}) as http:
        page = await http.get("/")
        assert 'href="/reports/monthly/2026-11/report.html"' in page.text
        assert "月报 2026-11" in page.text
        report = await http.get("/reports/monthly/2026-11/report.html")
        assert report.status_code == 200 and "十一月" in report.text
        outside = await http.get("/reports/monthly/2026-11/..%2F..%2Fx.html")
        assert outside.status_code == 404


async def test_a_case_the_reader_may_not_see_is_said_on_a_page_not_as_json(front):  # noqa: F811
    async with httpx.AsyncClient(base_url=front["url"], cookies={COOKIE: front["grid"]}) as http:
        answer = await http.get("/cases/NO-SUCH-CASE")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in answer.text and "NO-SUCH-CASE" in answer.text
