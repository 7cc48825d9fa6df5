"""Builders for test data: intake records, policies and rosters, with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from domain.actions import Actor
from domain.calendar import parse_calendar
from domain.case_models import CaseStart
from domain.intake_models import CaseIntake
from domain.policy import Policy, ReturnVisits, parse_policy
from ledger.rows import CaseRegistration, StepWrite
from runtime import config
from service.intake import case_start as start_of_case
from texts import Lang

CALENDAR = parse_calendar(config.DEFAULT_CALENDAR.read_text(), source="calendars/cn.toml")
#: The checked-in policy, carrying the calendar as intake attaches it. Without its campaign
#: windows: whether a case falls in one depends on the day, and tests never depend on today
#: (tests/domain/test_campaign.py reads the windows with fixed dates).
DEFAULT_POLICY: Policy = parse_policy(
    config.DEFAULT_POLICY.read_text(), source="policy.toml"
).model_copy(update={"calendar": CALENDAR.for_years([2026, 2027]), "campaigns": []})
#: The same without return visits: a resolved case closes at once.
NO_VISITS: Policy = DEFAULT_POLICY.model_copy(
    update={"return_visits": ReturnVisits(schedule={}), "name": "no-visits"}
)

LOCATION = {
    "county": "Haibowan District",
    "township": "Haibei Street",
    "village": "Diamond Square Community",
    "grid": "G-07",
}

# The people of the sample location, one per level, and the parties.
GRID = Actor(name="赵网格员", role="grid_worker", unit="G-07")
VILLAGE = Actor(name="钱调解员", role="mediation_committee", unit="Diamond Square Community")
TOWNSHIP = Actor(name="孙主任", role="governance_centre", unit="Haibei Street")
COUNTY = Actor(name="李科长", role="county_centre", unit="Haibowan District")
HANDLERS = {"grid": GRID, "village": VILLAGE, "township": TOWNSHIP, "county": COUNTY}
APPLICANT = Actor(name="王某", role="applicant")
RESPONDENT = Actor(name="李某", role="respondent")


def supervisor(unit: str, name: str = "督办员") -> Actor:
    return Actor(name=name, role="supervisor", unit=unit)


ROSTER = [
    ("grid", "G-07", "赵网格员", "grid_worker"),
    ("village", "Diamond Square Community", "钱调解员", "mediation_committee"),
    ("township", "Haibei Street", "孙主任", "governance_centre"),
    ("county", "Haibowan District", "李科长", "county_centre"),
    # The township's leads (包案): never handlers; a yellow case's and a red case's lead.
    ("township", "Haibei Street", "吴委员", "leader"),
    ("township", "Haibei Street", "郑书记", "secretary"),
]


def intake(case_id: str = "T-0001", **overrides: Any) -> CaseIntake:
    data: dict[str, Any] = {
        "case_id": case_id,
        "dispute_type": "neighbour",
        "complexity": "general",
        "title": "Water leaking from the flat above",
        "location": LOCATION,
        "parties": [{"name": "王某", "role": "applicant"}, {"name": "李某", "role": "respondent"}],
        "reported_at": datetime(2026, 11, 20, 1, 30, tzinfo=UTC).isoformat(),
        "reported_by": {"name": "赵网格员", "role": "grid_worker"},
    }
    data.update(overrides)
    return CaseIntake.model_validate(data)


def case_start(
    case_id: str = "T-0001",
    *,
    policy: Policy = DEFAULT_POLICY,
    lang: Lang | None = None,
    **overrides: Any,
) -> CaseStart:
    """A case's start, with the labour arbitration table in force (as `start_case` gives
    it); `lang` None is a case from before languages: English texts."""
    return start_of_case(intake(case_id, **overrides), policy, lang)


async def load_roster(pool: asyncpg.Pool, rows: list[tuple[str, str, str, str]] = ROSTER) -> None:
    await pool.executemany(
        "INSERT INTO roster (level, unit, name, role) VALUES ($1, $2, $3, $4)", rows
    )


def registration_step(registration: CaseRegistration) -> StepWrite:
    """A step that only registers a case in the ledger (no events yet)."""
    return StepWrite(case_id=registration.case_id, registration=registration, events=[])


#: The sample county's units (samples/) and the factories' own names for the same places.
SAMPLE_UNITS = {
    "海北街道": "Haibei Street",
    "千里镇": "Qianli Township",
    "海博湾区": "Haibowan District",
}


def sample_departments() -> list[tuple[str, str, str, bool]]:
    """samples/departments.csv with its units renamed to the factories' ones, for tests whose
    cases stand at LOCATION: the real file, read as a clerk would load it."""
    from cli.reference_files import parse_departments

    text = (config.ROOT / "samples" / "departments.csv").read_text(encoding="utf-8")
    return [
        (code, name, SAMPLE_UNITS[unit], active)
        for code, name, unit, active in parse_departments(text)
    ]
