"""Department activities and the departments loader, against real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.departments import DepartmentActivities
from activities.ledger import LedgerActivities
from cli.reference_files import DepartmentFileError, parse_departments
from domain.duty_models import DutyAck, DutyWrite, FindDepartments
from domain.ladder import Level
from domain.risk import RiskColour
from domain.whistle import Department, DutyEvent, DutyState, WhistleKind
from ledger.departments import load_departments
from ledger.rows import CaseRegistration
from runtime.config import ROOT
from tests import factories
from tests.factories import registration_step

SAMPLE = ROOT / "samples" / "departments.csv"
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CASE = "W-0001"
S, E = DutyState, DutyEvent


@pytest.fixture
async def dept_pool(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    """clean_pool empties cases (and, by cascade, duties); departments are ours to empty."""
    await clean_pool.execute("TRUNCATE departments CASCADE")
    return clean_pool


@pytest.fixture
async def sample(dept_pool: asyncpg.Pool) -> asyncpg.Pool:
    await load_departments(dept_pool, parse_departments(SAMPLE.read_text(encoding="utf-8")))
    return dept_pool


async def find(pool: asyncpg.Pool, township: str, *codes: str) -> tuple[list[Department], list]:
    request = FindDepartments(township=township, county="海博湾区", codes=list(codes))
    found = await ActivityEnvironment().run(DepartmentActivities(pool).find, request)
    return found.departments, found.missing


# --- departments.find ----------------------------------------------------------------------


async def test_the_townships_own_station_comes_first(sample: asyncpg.Pool):
    departments, missing = await find(sample, "海北街道", "police_station", "judge_station")

    assert departments == [
        Department(code="police_station", name="海北派出所", unit="海北街道", kind="township"),
        Department(code="judge_station", name="海北法官工作站", unit="海北街道", kind="township"),
    ]
    assert missing == []


async def test_the_county_stands_in_where_the_township_has_none(sample: asyncpg.Pool):
    departments, missing = await find(
        sample, "千里镇", "police_station", "market_supervision", "natural_resources"
    )

    assert [(d.code, d.unit, d.kind) for d in departments] == [
        ("police_station", "千里镇", "township"),
        ("market_supervision", "海博湾区", "county"),
        ("natural_resources", "海博湾区", "county"),
    ]
    assert missing == []


async def test_missing_departments_are_listed_in_the_order_asked(sample: asyncpg.Pool):
    departments, missing = await find(
        sample, "海北街道", "fire_brigade", "labour", "water_bureau", "labour"
    )

    assert [d.code for d in departments] == ["labour"]  # asked twice, found once
    assert missing == ["fire_brigade", "water_bureau"]


async def test_an_inactive_station_is_skipped(sample: asyncpg.Pool):
    await load_departments(sample, [("police_station", "海北派出所", "海北街道", False)])

    departments, _ = await find(sample, "海北街道", "police_station")

    assert [(d.unit, d.kind) for d in departments] == [("海博湾区", "county")]


async def test_another_townships_station_is_never_used(dept_pool: asyncpg.Pool):
    await load_departments(dept_pool, [("judge_station", "海北法官工作站", "海北街道", True)])

    departments, missing = await find(dept_pool, "千里镇", "judge_station")

    assert (departments, missing) == ([], ["judge_station"])


# --- departments.record_duty ---------------------------------------------------------------


@pytest.fixture
async def case(sample: asyncpg.Pool) -> asyncpg.Pool:
    await ActivityEnvironment().run(
        LedgerActivities(sample).write_step,
        registration_step(
            CaseRegistration(
                case_id=CASE,
                workflow_id=f"case-{CASE}",
                intake=factories.intake(CASE),
                risk=RiskColour.red,
                level=Level.township,
                policy_name="test",
                opened_at=T0,
            )
        ),
    )
    return sample


def summon(department: str = "police_station", unit: str = "海北街道", seq: int = 1):
    return DutyWrite(
        case_id=CASE,
        whistle_seq=1,
        department=department,
        unit=unit,
        seq=seq,
        event=E.summon,
        at=T0,
        whistle_kind=WhistleKind.emergency,
        check_in_by=T0 + timedelta(minutes=30),
        report_by=T0 + timedelta(hours=4),
    )


def move(seq: int, event: DutyEvent, minutes: int, department="police_station", **details):
    return DutyWrite(
        case_id=CASE,
        whistle_seq=1,
        department=department,
        seq=seq,
        event=event,
        at=T0 + timedelta(minutes=minutes),
        **details,
    )


async def record(pool: asyncpg.Pool, write: DutyWrite) -> DutyAck:
    return await ActivityEnvironment().run(DepartmentActivities(pool).record_duty, write)


async def duty(pool: asyncpg.Pool, department: str = "police_station") -> asyncpg.Record:
    return await pool.fetchrow(
        "SELECT * FROM department_duties WHERE case_id = $1 AND department = $2",
        CASE,
        department,
    )


async def test_a_duty_from_summons_to_report(case: asyncpg.Pool):
    assert await record(case, summon()) == DutyAck(state=S.summoned, written=True)
    assert await record(case, move(2, E.check_in, 20)) == DutyAck(state=S.checked_in, written=True)
    report = move(3, E.report, 180, findings="wall cracked", actions="survey", result="agreed")
    assert await record(case, report) == DutyAck(state=S.reported, written=True)

    row = await duty(case)
    assert row["state"] == "reported"
    assert row["unit"] == "海北街道"
    assert row["whistle_kind"] == "emergency"
    assert (row["summoned_at"], row["check_in_by"], row["report_by"]) == (
        T0,
        T0 + timedelta(minutes=30),
        T0 + timedelta(hours=4),
    )
    assert row["checked_in_at"] == T0 + timedelta(minutes=20)
    assert row["reported_at"] == T0 + timedelta(minutes=180)
    assert (row["findings"], row["actions"], row["result"]) == ("wall cracked", "survey", "agreed")
    assert row["last_seq"] == 3


async def test_a_retried_write_changes_nothing(case: asyncpg.Pool):
    await record(case, summon())
    await record(case, move(2, E.check_in, 20))

    assert await record(case, summon()) == DutyAck(state=S.checked_in, written=False)
    late = move(2, E.check_in, 25)  # same seq, another time: the first write stands
    assert await record(case, late) == DutyAck(state=S.checked_in, written=False)
    assert (await duty(case))["checked_in_at"] == T0 + timedelta(minutes=20)


async def test_a_late_retry_never_rolls_the_duty_back(case: asyncpg.Pool):
    await record(case, summon())
    await record(case, move(2, E.check_in, 20))
    await record(case, move(3, E.report, 60, result="done"))

    assert await record(case, move(2, E.check_in, 20)) == DutyAck(state=S.reported, written=False)
    assert (await duty(case))["state"] == "reported"


@pytest.mark.parametrize(
    ("writes", "bad", "message"),
    [
        ([], (2, E.check_in), "never summoned"),
        ([(2, E.check_in)], (3, E.check_in_overdue), "check_in_overdue from checked_in"),
        ([(2, E.check_in), (3, E.report)], (4, E.decline), "decline from reported"),
        ([(2, E.check_in_overdue)], (3, E.report), "report from missed"),
        ([], (2, E.summon), "summoned once per whistle"),
    ],
)
async def test_an_illegal_move_is_refused_for_good(
    case: asyncpg.Pool, writes, bad: tuple[int, DutyEvent], message: str
):
    details = {E.report: {"result": "r"}, E.decline: {"declined_reason": "why"}}
    if writes or bad[1] is not E.check_in:
        await record(case, summon())
    for seq, event in writes:
        await record(case, move(seq, event, seq, **details.get(event, {})))
    before = await duty(case)

    seq, event = bad
    write = summon(seq=seq) if event is E.summon else move(seq, event, 99, **details.get(event, {}))
    with pytest.raises(ApplicationError, match=message) as info:
        await record(case, write)

    assert info.value.non_retryable
    assert await duty(case) == before


async def test_an_unknown_department_or_case_is_refused(case: asyncpg.Pool):
    with pytest.raises(ApplicationError, match="unknown case or department") as info:
        await record(case, summon("labour", unit="海北街道"))  # the county's, not 海北街道's
    assert info.value.non_retryable

    other_case = summon().model_copy(update={"case_id": "W-9999"})
    with pytest.raises(ApplicationError, match="unknown case or department"):
        await record(case, other_case)


async def test_missed_then_supervised_then_late_check_in_and_report(case: asyncpg.Pool):
    await record(case, summon())
    await record(case, move(2, E.check_in_overdue, 30))
    assert await record(case, move(3, E.supervise, 31)) == DutyAck(state=S.supervised, written=True)
    # arriving late under supervision is recorded; the state stays until the report
    assert await record(case, move(4, E.check_in, 45)) == DutyAck(state=S.supervised, written=True)
    assert (await record(case, move(5, E.report, 200, result="done"))).state is S.reported

    row = await duty(case)
    assert row["missed_at"] == T0 + timedelta(minutes=30)
    assert row["supervised_at"] == T0 + timedelta(minutes=31)
    assert row["checked_in_at"] == T0 + timedelta(minutes=45)
    assert row["reported_at"] == T0 + timedelta(minutes=200)


@pytest.mark.parametrize(("ruling", "state"), [(E.uphold, S.excused), (E.overrule, S.supervised)])
async def test_a_decline_and_the_supervisors_ruling(
    case: asyncpg.Pool, ruling: DutyEvent, state: DutyState
):
    await record(case, summon("market_supervision"))
    decline = move(2, E.decline, 10, "market_supervision", declined_reason="not a consumer matter")
    assert (await record(case, decline)).state is S.declined
    decided = move(3, ruling, 40, "market_supervision", ruling="checked the file")
    assert (await record(case, decided)).state is state

    row = await duty(case, "market_supervision")
    assert row["declined_reason"] == "not a consumer matter"
    assert row["ruling"] == "checked the file"
    assert row["declined_at"] == T0 + timedelta(minutes=10)
    assert row["ruled_at"] == T0 + timedelta(minutes=40)


async def test_duties_of_one_whistle_are_kept_apart(case: asyncpg.Pool):
    await record(case, summon("police_station"))
    await record(case, summon("judicial_office"))
    await record(case, move(2, E.check_in, 5, "judicial_office"))

    assert (await duty(case, "police_station"))["state"] == "summoned"
    assert (await duty(case, "judicial_office"))["state"] == "checked_in"


# --- the departments loader ----------------------------------------------------------------


def test_the_sample_file_parses():
    rows = parse_departments(SAMPLE.read_text(encoding="utf-8"))

    units = {unit for _, _, unit, _ in rows}
    assert units == {"海北街道", "千里镇", "海博湾区"}
    county = {code for code, _, unit, _ in rows if unit == "海博湾区"}
    assert county >= {"labour", "natural_resources", "police_station", "judge_station"}
    assert not any(
        code in {"labour", "natural_resources"} for code, _, u, _ in rows if u != "海博湾区"
    )
    assert all(active for *_, active in rows)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name\nlabour,x\n", "line 1: missing column(s) unit"),
        ("code,name,unit\n", "no department rows"),
        ("code,name,unit\nlabour,人社局,\n", "line 2, column unit: empty"),
        ("code,name,unit\nlabour,人社局,X\n,司法所,X\n", "line 3, column code: empty"),
        ("code,name,unit\nPolice,派出所,X\n", "line 2, column code: 'Police' is not a code"),
        ("code,name,unit,active\nlabour,人社局,X,maybe\n", "line 2, column active: 'maybe'"),
        (
            "code,name,unit\nlabour,人社局,X\nlabour,人社,X\n",
            "line 3, column code: labour at X is already on line 2",
        ),
        ("code,name,unit\nlabour,人社局,X,extra\n", "line 2: more fields than the header"),
    ],
)
@pytest.mark.usefixtures("english")
def test_file_errors_name_the_line_and_column(text: str, message: str):
    with pytest.raises(DepartmentFileError) as info:
        parse_departments(text)

    assert message in str(info.value)


def test_active_column_and_bom():
    rows = parse_departments(
        "\ufeffcode,name,unit,active\nlabour,a,X,no\npolice_station,b,X,\njudge_station,c,X,TRUE\n"
    )

    assert rows == [
        ("labour", "a", "X", False),
        ("police_station", "b", "X", True),
        ("judge_station", "c", "X", True),
    ]


async def test_loading_again_updates_and_never_duplicates(dept_pool: asyncpg.Pool):
    pool = dept_pool
    rows = parse_departments(SAMPLE.read_text(encoding="utf-8"))
    assert await load_departments(pool, rows) == len(rows)
    assert await load_departments(pool, rows) == len(rows)
    await load_departments(pool, [("labour", "新名字", "海博湾区", False)])

    assert await pool.fetchval("SELECT count(*) FROM departments") == len(rows)
    row = await pool.fetchrow(
        "SELECT name, active FROM departments WHERE code = 'labour' AND unit = '海博湾区'"
    )
    assert (row["name"], row["active"]) == ("新名字", False)


async def test_a_bad_row_loads_nothing(dept_pool: asyncpg.Pool):
    pool = dept_pool
    with pytest.raises(asyncpg.CheckViolationError):
        await load_departments(pool, [("labour", "a", "X", True), ("Bad Code", "b", "X", True)])

    assert await pool.fetchval("SELECT count(*) FROM departments") == 0
