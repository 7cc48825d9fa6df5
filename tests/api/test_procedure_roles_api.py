"""The court road through the front door: a dispute case taken to court as a linked matter,
its steps taken by the court's people on the roster with their own tokens (a township's clerk
and a party refused, naming the role the step needs, and audited), and the case's `status
--json` and page showing where the road stands, read from the ledger."""

from __future__ import annotations

import json

from ledger import tokens
from service.roads import open_road
from tests import factories
from tests.api.test_api import bearer, front, ledger_kinds, open_case  # noqa: F401  (the fixture)
from tests.api_helpers import person_token
from tests.conftest import PAYLOAD_KEYS
from tests.test_starter import starter
from texts import Lang

COURT = "Haibowan District"  # the county's people's court sits at the county


async def take_to_court(door, case_id: str) -> str:
    await open_case(door, case_id)
    matter, started = await open_road(
        door["env"].client, door["pool"], case_id, "court", "filed",
        factories.DEFAULT_POLICY, Lang.zh,
    )  # fmt: skip
    assert started and matter == f"{case_id}-court"
    await ledger_kinds(door["pool"], matter, until="procedure_opened")
    return matter


async def step(door, token: str, matter: str, action: str):
    return await door["http"].post(
        f"/api/cases/{matter}/procedure", json={"action": action}, headers=bearer(token)
    )


async def test_court_steps_are_taken_by_the_courts_people_and_refused_to_others(front):  # noqa: F811
    pool = front["pool"]
    matter = await take_to_court(front, "API-ROAD-1")
    clerk = await person_token(pool, "county", COURT, "立案庭书记员", "court_clerk")
    judge = await person_token(pool, "county", COURT, "审判员甲", "judge")
    township = await person_token(pool, "township", "Qianli Township", "乡镇文书", "handler")
    applicant = (await tokens.issue(pool, "张某", None, "applicant", matter))[1]

    refused = await step(front, township, matter, "docket_ordinary")
    assert refused.status_code == 403
    assert "立案（普通程序）须由法院书记员办理" in refused.json()["detail"]
    assert (await step(front, clerk, matter, "docket_ordinary")).status_code == 200
    for someone in (township, applicant, clerk):
        refused = await step(front, someone, matter, "judgment")
        assert refused.status_code == 403, refused.text
        assert "判决须由法官办理" in refused.json()["detail"]
    judged = await step(front, judge, matter, "judgment")
    assert judged.status_code == 200, judged.text
    assert judged.json()["procedure"]["state"] == "judged"

    audited = await pool.fetch(
        "SELECT name, role, action, reason FROM refused_actions WHERE case_id = $1 ORDER BY id",
        matter,
    )
    assert [(r["name"], r["role"], r["action"]) for r in audited] == [
        ("乡镇文书", "handler", "procedure"),
        ("乡镇文书", "handler", "procedure"),
        ("张某", "applicant", "procedure"),
        ("立案庭书记员", "court_clerk", "procedure"),
    ]
    assert all("法官" in r["reason"] or "书记员" in r["reason"] for r in audited)
    kinds = await ledger_kinds(pool, matter)
    assert kinds == ["procedure_opened", "procedure_action", "procedure_action"]


async def test_the_case_shows_the_road_it_went_to_and_the_matter_the_case_it_came_from(front):  # noqa: F811
    pool = front["pool"]
    matter = await take_to_court(front, "API-ROAD-2")
    clerk = await person_token(pool, "county", COURT, "立案庭书记员", "court_clerk")
    assert (await step(front, clerk, matter, "docket_small_claims")).status_code == 200
    await ledger_kinds(pool, matter, until="procedure_action")

    page = await front["http"].get("/api/cases/API-ROAD-2", headers=bearer(front["grid"]))
    assert page.status_code == 200, page.text
    [road] = page.json()["roads"]
    assert (road["case_id"], road["procedure"], road["state"]) == (
        matter, "court", "small_claims",
    )  # fmt: skip
    assert road["next_window"]["name"] == "trial_small_claims"
    assert road["next_window"]["law"] == "民事诉讼法 第一百六十八条"
    assert road["next_window"]["due_at"].endswith("+08:00")
    assert page.json()["from_case"] is None
    assert road["title"] == "诉讼与执行"  # the table's title
    assert matter not in page.json()["similar"]  # linked already: no look-alike

    shown = await front["http"].get(f"/api/cases/{matter}", headers=bearer(clerk))
    assert shown.status_code == 200, shown.text
    assert shown.json()["from_case"] == "API-ROAD-2" and shown.json()["roads"] == []

    env = {"DATABASE_URL": front["pg_url"],
           "TEMPORAL_ADDRESS": front["env"].client.service_client.config.target_host,
           "DISPUTE_PAYLOAD_KEYS": PAYLOAD_KEYS.as_text()}  # fmt: skip
    done = await starter(env, "status", "API-ROAD-2", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert [r["case_id"] for r in status["roads"]] == [matter]
    assert status["roads"][0]["next_window"] == road["next_window"]

    html = await front["http"].get("/cases/API-ROAD-2", headers=bearer(front["grid"]))
    assert html.status_code == 200
    assert f'href="/cases/{matter}"' in html.text and "民事诉讼法 第一百六十八条" in html.text
    # State and window as people read them; the machine names only in data attributes.
    assert "· 小额诉讼审理<br>" in html.text and "小额诉讼审理期限" in html.text
    assert ">trial_small_claims" not in html.text and "· small_claims" not in html.text
