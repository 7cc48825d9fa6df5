"""Report duties through the front door: the API with a token, the CLI through the API, the
page's one-tap zero report. The day is today, whatever it is: every unit here reports daily,
and the expected state (`zero` or `late`) follows the clock against the cut-off."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from api.auth import COOKIE
from domain.report_duties import DutyPolicy, duties_on
from ledger import report_duties as ledger
from tests.api.test_api import bearer, front, open_case  # noqa: F401  (the fixture)
from tests.api_helpers import person_token
from tests.test_starter import starter

POLICY = DutyPolicy.model_validate(
    {
        "name": "api-test",
        "cutoff": "16:00",
        "escalate_after": "1h",
        "units": [
            {"unit": "G-01", "reports_to": "V-1", "every": "daily"},
            {"unit": "G-08", "reports_to": "V-1", "every": "daily"},
            {"unit": "G-09", "reports_to": "V-2", "every": "daily"},
            {"unit": "V-1", "reports_to": "T-1", "every": "weekly"},
        ],
    }
)


def on_time_state(kind: str, filed: datetime) -> str:
    (duty,) = duties_on(POLICY, POLICY.local_day(filed), "G-01")
    return kind if filed <= duty.cutoff_at else "late"


@pytest.fixture
async def duties_front(front):  # noqa: F811
    pool = front["pool"]
    await pool.execute("TRUNCATE duty_reports, duty_notices, duty_policy")
    await ledger.set_policy(pool, POLICY, datetime.now(UTC))
    return front


async def test_a_grid_files_zero_through_the_api_and_the_day_lists_it(duties_front):
    http = duties_front["http"]
    answer = await http.post("/api/duties/reports", json={"kind": "zero"},
                             headers=bearer(duties_front["grid"]))  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == on_time_state("zero", datetime.now(UTC))
    village = await person_token(duties_front["pool"], "village", "V-1", "吴主任", "mediator")
    listed = (await http.get("/api/duties", headers=bearer(village))).json()
    assert [d["unit"] for d in listed] == ["G-01", "G-08"]
    assert listed[0]["kind"] == "zero" and listed[1]["filed_at"] is None
    assert listed[1]["state"] in ("due", "missing")
    one = await http.get("/api/duties", params={"unit": "G-08"}, headers=bearer(village))
    assert [d["unit"] for d in one.json()] == ["G-08"]


@pytest.mark.parametrize(
    ("level", "unit", "seen"),
    [
        ("grid", "G-08", ["G-08"]),  # a grid worker: their own grid
        ("village", "V-2", ["G-09"]),  # a village not in the table: the grids reporting to it
        ("township", "T-1", ["G-01", "G-08"]),  # down the chain: V-1's grids (V-1 weekly)
        ("county", "C-1", ["G-01", "G-08", "G-09"]),  # the county: all
        ("grid", "G-99", []),  # a unit with no duty and none below it
    ],
)
async def test_each_reader_sees_the_duties_of_their_unit_and_below(duties_front, level, unit,
                                                                   seen):  # fmt: skip
    token = await person_token(duties_front["pool"], level, unit, "读者", "mediator")
    listed = await duties_front["http"].get(
        "/api/duties", params={"date": "2026-12-08"}, headers=bearer(token)
    )  # a Tuesday: the weekly V-1 owes nothing that day
    assert [d["unit"] for d in listed.json()] == seen
    grid = await duties_front["http"].get(
        "/api/duties", params={"date": "2026-12-08", "unit": "G-09"},
        headers=bearer(duties_front["grid"]),
    )  # fmt: skip
    assert grid.json() == []  # another village's grid: not the G-01 worker's to read


async def test_a_zero_report_after_a_case_of_the_grid_was_taken_in_is_flagged(duties_front):
    await open_case(duties_front, "DUTY-1")  # at G-01 (tests.test_starter.GOOD)
    answer = await duties_front["http"].post(
        "/api/duties/reports", json={}, headers=bearer(duties_front["grid"])
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["flag_cases"]) == ("flagged", ["DUTY-1"])


@pytest.mark.parametrize(
    ("body", "who", "status"),
    [
        ({"unit": "G-01"}, "other", 403),  # another unit's report
        ({"kind": "zero", "cases": ["X"]}, "grid", 403),  # zero that names a case
        ({"kind": "nothing"}, "grid", 422),  # not a kind
        ({}, "service", 403),  # an intake token
    ],
)
async def test_refused_filings_write_nothing(duties_front, body, who, status):
    answer = await duties_front["http"].post(
        "/api/duties/reports", json=body, headers=bearer(duties_front[who])
    )
    assert answer.status_code == status, answer.text
    assert await duties_front["pool"].fetchval("SELECT count(*) FROM duty_reports") == 0


async def test_the_cli_files_and_lists_through_the_api(duties_front, tmp_path):
    client = duties_front["env"].client
    env = {
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": client.namespace,
        "DATABASE_URL": duties_front["pg_url"],
        "DISPUTE_API_URL": duties_front["url"],
        "DISPUTE_TOKEN": "",
    }
    token = tmp_path / "token"
    token.write_text(duties_front["other"])
    filed = await starter(env, "duties", "file", "--case", "C-9", "--token-file", str(token))
    assert filed.returncode == 0, filed.stderr
    listed = await starter(env, "duties", "--unit", "G-08", "--json")
    assert listed.returncode == 0, listed.stderr
    (duty,) = json.loads(listed.stdout)
    # With a token, through the API: only the duties the token's unit sees.
    mine = await starter(env, "duties", "--json", "--token-file", str(token))
    assert mine.returncode == 0, mine.stderr
    assert [d["unit"] for d in json.loads(mine.stdout)] == ["G-08"]
    assert (duty["kind"], duty["cases"]) == ("matters", ["C-9"])
    assert duty["state"] == on_time_state("filed", datetime.fromisoformat(duty["filed_at"]))
    again = await starter(env, "duties", "file", "--unit", "G-01", "--token-file", str(token))
    assert again.returncode == 1 and "G-01" in again.stderr


async def test_the_page_offers_a_one_tap_zero_report(duties_front):
    http = duties_front["http"]
    signed_in = {"Cookie": f"{COOKIE}={duties_front['grid']}"}
    page = (await http.get("/", headers=signed_in)).text
    assert 'action="/duties/zero"' in page and "零报告" in page
    tapped = await http.post("/duties/zero", headers=signed_in)
    assert tapped.status_code == 303
    after = (await http.get("/", headers=signed_in)).text
    assert 'action="/duties/zero"' not in after
    row = await duties_front["pool"].fetchrow("SELECT kind, unit FROM duty_reports")
    assert (row["kind"], row["unit"]) == ("zero", "G-01")
