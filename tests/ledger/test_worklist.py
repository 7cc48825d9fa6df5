"""The worklist query on a ledger built by hand: whose cases, which filters, what order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from cli.worklist import table_lines
from ledger.worklist import LIMIT, Filters, counts, may_read, page, worklist
from texts.terminal import width
from texts.terms import time_left

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def add_case(pool: asyncpg.Pool, case_id: str, *, level: str = "grid", grid: str = "G-07",
                   due_in: timedelta | None = timedelta(hours=5), status: str = "open",
                   risk: str = "green", assignee: dict | None = None,
                   deadline: timedelta | str | None = "level", clock: str = "level",
                   visit_in: timedelta | None = None, intake: dict | None = None,
                   township: str = "Haibei Street",
                   village: str = "Diamond Square Community") -> None:  # fmt: skip
    """A case row as the workflow's snapshot leaves it: `deadline` "level" is the level's
    `due_at` while the case is open (a paused case has none)."""
    due = NOW + due_in if due_in is not None else None
    if deadline == "level":
        deadline_at = due if status == "open" else None
    else:
        deadline_at = NOW + deadline if deadline is not None else None
    await pool.execute(
        """INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
               township, village, grid, reported_at, opened_at, policy_name, intake, level,
               status, assignee, due_at, deadline, deadline_clock, visit_due_at)
           VALUES ($1, 'case-' || $1, 'debt', 'general', $2, 'A title', 'Haibowan District',
               $11, $12, $3, $4, $4, 'p', $13::jsonb, $5, $6, $7, $8, $9, $10, $14)""",
        case_id, risk, grid, NOW - timedelta(days=1), level, status, assignee, due,
        deadline_at, clock if deadline_at else None, township, village, intake or {},
        NOW + visit_in if visit_in is not None else None,
    )  # fmt: skip


@pytest.fixture
async def ledger(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    await add_case(clean_pool, "SOON", due_in=timedelta(hours=2))
    await add_case(clean_pool, "LATE-LONG", due_in=timedelta(days=-3), risk="red")
    await add_case(clean_pool, "LATE", due_in=timedelta(hours=-1))
    await add_case(clean_pool, "NO-CLOCK", due_in=None)
    await add_case(clean_pool, "LATER", due_in=timedelta(days=4))
    await add_case(clean_pool, "OTHER-GRID", grid="G-08")
    await add_case(clean_pool, "VILLAGE", level="village", due_in=timedelta(hours=1),
                   assignee={"name": "周调解员", "unit": "Diamond Square Community",
                             "role": "mediation_committee"})  # fmt: skip
    await add_case(clean_pool, "DONE", status="closed")
    await add_case(clean_pool, "PAUSED", status="paused", due_in=timedelta(days=1))
    return clean_pool


async def ids(pool: asyncpg.Pool, **filters) -> list[str]:
    return [r.case_id for r in await worklist(pool, Filters(**filters), NOW)]


async def test_most_urgent_first_overdue_longest_then_soonest_then_no_clock(ledger):
    assert await ids(ledger, unit="G-07", level="grid") == [
        "LATE-LONG", "LATE", "SOON", "LATER", "PAUSED", "NO-CLOCK",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"unit": "G-07", "overdue": True}, ["LATE-LONG", "LATE"]),
        ({"unit": "G-07", "due_within": timedelta(hours=3)}, ["LATE-LONG", "LATE", "SOON"]),
        ({"risk": "red"}, ["LATE-LONG"]),
        ({"handler": "周调解员"}, ["VILLAGE"]),
        ({"unit": "G-08"}, ["OTHER-GRID"]),
        ({"level": "village"}, ["VILLAGE"]),
        ({"unit": "G-07", "status": ("closed",)}, ["DONE"]),
        ({"unit": "G-07", "status": ("paused",)}, ["PAUSED"]),
    ],
)
async def test_filters(ledger, filters, expected):
    assert await ids(ledger, **filters) == expected


async def test_a_persons_cases_are_their_units_and_those_assigned_to_them(ledger):
    grid = await ids(ledger, mine_name="赵网格员", mine_unit="G-07", mine_role="grid_worker",
                     mine_level="grid")  # fmt: skip
    village = await ids(ledger, mine_name="周调解员", mine_unit="Diamond Square Community",
                        mine_role="mediation_committee", mine_level="village")  # fmt: skip
    assert "OTHER-GRID" not in grid and "LATE-LONG" in grid
    # A village sees its own cases and every case of its grids, whatever level they are at.
    assert "VILLAGE" in village and "OTHER-GRID" in village and "LATE-LONG" in village
    assert await ids(ledger, mine_name="x", mine_unit="G-99", mine_role="grid_worker",
                     mine_level="grid") == []  # fmt: skip


async def test_a_paused_cases_clock_reads_paused(ledger):
    rows = await worklist(ledger, Filters(status=("paused",)), NOW)
    assert [r.time_left("en") for r in rows] == ["clock paused"]
    assert table_lines(rows, "en")[1].endswith("  clock paused")
    assert table_lines(rows, "zh")[1].endswith("  计时已暂停")


async def test_a_line_per_case_in_chinese_with_columns_aligned(ledger):
    rows = await worklist(ledger, Filters(unit="G-07", level="grid"), NOW)
    lines = table_lines(rows, "zh")
    assert lines[0].split() == ["案件编号", "标题", "地点", "层级", "承办人", "风险", "时限"]
    late_long = lines[1].split()
    assert late_long[0] == "LATE-LONG"
    assert late_long[-4:] == ["网格", "-", "红色", "已超期3天0小时"]
    assert "Haibei Street Diamond" in lines[1]  # township, then village (cut to fit)
    # Every column starts in the same terminal cell on every line, Chinese being two wide.
    heads = zip(lines, ["风险", "红色"], strict=False)
    risk_at = {width(line[: line.index(w)]) for line, w in heads}
    assert len(risk_at) == 1
    assert lines[-1].split()[-1] == "无时限"


async def test_english_on_request(ledger):
    rows = await worklist(ledger, Filters(unit="G-07", level="grid", overdue=True), NOW)
    lines = table_lines(rows, "en")
    assert lines[0].split() == [
        "Case", "Title", "Place", "Level", "Handler", "Risk", "Time", "left",
    ]  # fmt: skip
    assert lines[1].split()[-4:] == ["red", "3d", "0h", "overdue"]


async def test_a_full_page_counts_every_match(clean_pool):
    for n in range(LIMIT + 3):
        await add_case(clean_pool, f"C-{n:04d}", due_in=timedelta(hours=-n))
    rows, total = await page(clean_pool, Filters(overdue=True), NOW)
    assert (len(rows), total) == (LIMIT, LIMIT + 2)  # C-0000 is due exactly now: not overdue
    assert rows[0].case_id == f"C-{LIMIT + 2:04d}"
    rows, total = await page(clean_pool, Filters(risk="red"), NOW)
    assert (rows, total) == ([], 0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "no clock"), (3_900, "1h 5m left"), (-90_000, "1d 1h overdue"), (59, "0m left")],
)
def test_time_left_text(seconds, text):
    assert time_left(seconds, "en") == text


async def test_who_may_read_a_case(ledger):
    await ledger.execute(
        "INSERT INTO case_events (case_id, seq, at, kind, level, summary, data) VALUES "
        "('SOON', 1, now(), 'transfer_requested', 'grid', 't', '{\"to_unit\": \"G-09\"}')"
    )
    readers = [("赵网格员", "G-07", "grid_worker"), ("x", "Diamond Square Community", "m"),
               ("x", "Haibei Street", "supervisor"), ("x", "Haibowan District", "c"),
               ("y", "G-09", "grid_worker")]  # fmt: skip
    for name, unit, role in readers:
        assert await may_read(ledger, "SOON", name, unit, role), unit
    assert not await may_read(ledger, "SOON", "钱网格员", "G-08", "grid_worker")
    assert not await may_read(ledger, "LATE", "y", "G-09", "grid_worker")  # offered SOON only
    assert not await may_read(ledger, "NO-SUCH", "赵网格员", "G-07", "grid_worker")


PARTIES = {"parties": [{"name": "李春梅", "role": "applicant", "phone": "138-1234-5678"},
                       {"name": "王建国", "role": "respondent", "phone": "0755 8888 1234"}],
           "description": "楼上漏水"}  # fmt: skip


@pytest.fixture
async def county(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    """Cases across a township: a supervised one (no level clock, overdue since 2 days), one at
    a village past a track's window, one due within the day, a grid's with a visit due, one of
    another township."""
    pool = clean_pool
    await add_case(pool, "SUPERVISED", level="county", status="supervised", due_in=None,
                   deadline=timedelta(days=-2), clock="supervised")  # fmt: skip
    await add_case(pool, "TRACK-LATE", level="village", due_in=timedelta(days=5),
                   deadline=timedelta(hours=-3), clock="track", intake=PARTIES)  # fmt: skip
    await add_case(pool, "DUE-SOON", due_in=timedelta(hours=5))
    await add_case(pool, "ON-TIME", due_in=timedelta(days=3), risk="red")
    await add_case(pool, "VISIT", status="resolved", due_in=None, deadline=timedelta(days=2),
                   clock="visit", visit_in=timedelta(hours=-1))  # fmt: skip
    await add_case(pool, "VISIT-LATER", status="resolved", due_in=None, visit_in=timedelta(days=9),
                   deadline=timedelta(days=12), clock="visit")  # fmt: skip
    await add_case(pool, "PAUSED", status="paused", due_in=timedelta(days=1))
    await add_case(pool, "ELSEWHERE", township="Other Street", village="Other Village",
                   grid="G-99", due_in=timedelta(hours=-9))  # fmt: skip
    return pool


async def test_a_supervised_case_is_overdue_first_by_how_long(county):
    rows = await worklist(county, Filters(overdue=True, under="Haibei Street"), NOW)
    assert [r.case_id for r in rows] == ["SUPERVISED", "TRACK-LATE"]
    assert all(r.overdue for r in rows)
    assert rows[0].time_left("zh") == "已超期2天0小时"
    assert rows[1].deadline_clock == "track"
    # First in the default list too, before the cases with time left.
    assert (await ids(county, under="Haibei Street"))[:2] == ["SUPERVISED", "TRACK-LATE"]


async def test_under_a_unit_is_every_case_anywhere_below_it(county):
    township = await ids(county, under="Haibei Street")
    assert "ELSEWHERE" not in township and "TRACK-LATE" in township and "DUE-SOON" in township
    assert "ELSEWHERE" in await ids(county, under="Haibowan District")
    assert await ids(county, under="G-99") == ["ELSEWHERE"]


@pytest.mark.parametrize(
    "text", ["13812345678", "1234 5678", "李春梅", "王建", "漏水", "TRACK-LATE", "track-l"]
)
async def test_search_by_id_title_description_party_name_or_phone(county, text):
    assert await ids(county, search=text) == ["TRACK-LATE"]


async def test_search_takes_wildcards_literally(county):
    assert await ids(county, search="%") == []


async def test_the_visits_queue_holds_resolved_cases_with_a_visit_due(county):
    assert await ids(county, tab="visits") == ["VISIT"]
    assert "VISIT" in await ids(county) and "VISIT-LATER" not in await ids(county)


async def test_counts_per_tab(county):
    tallies = await counts(county, Filters(under="Haibei Street"), NOW)
    assert tallies == {"open": 6, "due_soon": 1, "overdue": 2, "supervised": 1, "visits": 1,
                       "paused": 1}  # fmt: skip
    assert await ids(county, tab="due_soon", under="Haibei Street") == ["DUE-SOON"]


@pytest.mark.parametrize(("order", "first"), [("urgency", "SUPERVISED"), ("risk", "ON-TIME")])
async def test_order_by_urgency_or_risk(county, order, first):
    assert (await ids(county, order=order))[0] == first


async def test_a_duty_officer_sees_only_the_cases_that_summoned_the_department(county):
    await county.execute(
        "INSERT INTO departments (code, name, unit) VALUES ('police', '派出所', 'Haibei Street')"
    )
    await county.execute(
        """INSERT INTO department_duties (case_id, whistle_seq, department, unit, whistle_kind,
               state, summoned_at, check_in_by, report_by, last_seq)
           VALUES ('DUE-SOON', 1, 'police', 'Haibei Street', 'routine', 'summoned', $1, $1, $1,
                   1)""",
        NOW,
    )
    mine = {"mine_name": "值班民警", "mine_unit": "Haibei Street", "mine_role": "police"}
    assert await ids(county, **mine) == ["DUE-SOON"]
    # The same unit on the roster (a township supervisor) sees every case of the township.
    assert len(await ids(county, **{**mine, "mine_role": "supervisor",
                                    "mine_level": "township"})) == 6  # fmt: skip


async def test_a_matter_on_a_procedure_shows_the_state_its_last_event_left_it_in(clean_pool):
    await add_case(clean_pool, "XF-1", level="county", intake={"procedure": "petition"})
    await add_case(clean_pool, "CASE-1", level="county")
    for seq, state in enumerate(("registered", "assigned"), start=1):
        await clean_pool.execute(
            "INSERT INTO case_events (case_id, seq, at, kind, level, summary, data)"
            " VALUES ('XF-1', $1, $2, 'procedure_action', 'county', 's', $3)",
            seq, NOW - timedelta(hours=3 - seq), {"procedure": "petition", "state": state},
        )  # fmt: skip
    rows = {r.case_id: r for r in await worklist(clean_pool, Filters(level="county"), NOW)}

    matter, case = rows["XF-1"], rows["CASE-1"]
    assert (matter.procedure, matter.procedure_state) == ("petition", "assigned")
    assert (case.procedure, case.procedure_state) == (None, None)
    assert matter.stage("zh") == "已交办" and case.stage("zh") == "县(区)"
    assert matter.as_json("zh")["procedure_state"] == "assigned"  # JSON keeps the machine name
    assert "已交办" in table_lines([matter], "zh")[-1]


async def test_a_halted_case_is_marked_on_its_row_until_it_writes_a_step_again(ledger):
    from ledger import halted

    await halted.mark(ledger, "LATE", "run-1", "terminated", NOW, "Diamond Square Community",
                      "LATE stopped")  # fmt: skip

    rows = {r.case_id: r for r in await worklist(ledger, Filters(), NOW)}
    stopped = await halted.halted_now(ledger, "LATE")

    assert rows["LATE"].halted and not rows["SOON"].halted
    assert rows["LATE"].as_json("zh")["halted"] is True
    assert rows["LATE"].cells("zh")[-1].startswith("流程已中断 ")
    assert stopped is not None and stopped["status"] == "terminated"
    assert await halted.halted_now(ledger, "SOON") is None

    # Started again: its next step's write moves `updated_at` past the notice.
    await ledger.execute("UPDATE cases SET updated_at = now() WHERE case_id = 'LATE'")
    rows = {r.case_id: r for r in await worklist(ledger, Filters(), NOW)}
    assert not rows["LATE"].halted and await halted.halted_now(ledger, "LATE") is None


async def test_a_petition_is_read_by_the_county_and_the_bodies_it_reached_not_by_its_grid(
    clean_pool,
):
    office = {"kind": "office", "name": "区信访局"}
    petition = {"procedure": "petition", "petition": {"channel": "visit", "addressed_to": office}}
    await add_case(clean_pool, "XF-1", level="county", intake=petition)
    await add_case(clean_pool, "FY-1", level="county",
                   intake={"procedure": "court", "road": {"from_case": "C-1"}})  # fmt: skip
    await clean_pool.execute(
        "INSERT INTO case_events (case_id, seq, at, kind, level, summary, actor, data)"
        " VALUES ('XF-1', 1, $1, 'procedure_action', 'county', 's', $2, $3)",
        NOW, {"name": "信访办甲", "unit": "区信访局", "role": "petition_office"},
        {"procedure": "petition", "state": "assigned", "action": "assign",
         "facts": {"to": "区住建局"}},
    )  # fmt: skip
    # A party's step naming a `to` gives that unit nothing.
    await clean_pool.execute(
        "INSERT INTO case_events (case_id, seq, at, kind, level, summary, actor, data)"
        " VALUES ('XF-1', 2, $1, 'procedure_action', 'county', 's', $2, $3)",
        NOW, {"name": "王某", "unit": None, "role": "petitioner"},
        {"procedure": "petition", "state": "assigned", "action": "rate",
         "facts": {"to": "区教育局"}},
    )  # fmt: skip

    def reader(unit: str, role: str, level: str) -> dict:
        return {"mine_name": "x", "mine_unit": unit, "mine_role": role, "mine_level": level}

    office = reader("区信访局", "petition_office", "county")
    body = reader("区住建局", "handling_body", "county")
    grid = reader("G-07", "grid_worker", "grid")
    county = reader("Haibowan District", "county_centre", "county")
    assert await ids(clean_pool, **office) == ["XF-1"]  # addressed to it, and it acted
    assert await ids(clean_pool, **body) == ["XF-1"]  # assigned to it (`--fact to=`)
    assert await ids(clean_pool, **grid) == ["FY-1"]  # a road of its own grid's case
    assert sorted(await ids(clean_pool, **county)) == ["FY-1", "XF-1"]
    assert await may_read(clean_pool, "XF-1", "x", "区住建局", "handling_body")
    assert not await may_read(clean_pool, "XF-1", "x", "G-07", "grid_worker")
    assert not await may_read(clean_pool, "XF-1", "x", "区教育局", "handling_body")
