"""Report duties for the API and the command line: the day's duties with their state, filing
a report, and putting a duty policy in force with its schedule.

The policy in force is the one `starter.py duties schedule` set (table `duty_policy`); before
that, `policies/duties.toml` (`ledger.report_duties.policy_for`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain.ladder import Level
from domain.report_duties import (
    Duty,
    DutyPolicy,
    DutyRoundInput,
    ReportKind,
    ReportRequest,
    check_report,
    duties_on,
    state_of,
    units_under,
)
from ledger import report_duties as ledger
from ledger.tokens import Person
from texts import Lang
from texts.terms import LOCAL_ZONE
from workflows.duty_round import DutyRoundWorkflow

log = structlog.get_logger("duties")

DUTY_SCHEDULE_ID = "duty-round"
DUTY_WORKFLOW_ID = "duty-round"


class DutyRefused(ValueError):
    """A report that cannot be filed; the message says why, in the caller's language."""


def _local(at: datetime | None) -> str | None:
    return at.astimezone(LOCAL_ZONE).isoformat(timespec="seconds") if at else None


def duty_json(duty: Duty, row: ledger.DutyRow | None, now: datetime) -> dict[str, Any]:
    """One duty as `duties --json` and `GET /api/duties` give it."""
    filing = row.filing if row else None
    return {
        "unit": duty.unit,
        "reports_to": duty.reports_to,
        "day": duty.day.isoformat(),
        "every": duty.every.value,
        "sensitive": duty.sensitive,
        "cutoff_at": _local(duty.cutoff_at),
        "state": state_of(duty, filing, now).value,
        "kind": filing.kind.value if filing else None,
        "cases": list(filing.cases) if filing else [],
        "filed_at": _local(filing.filed_at) if filing else None,
        "flag_cases": row.flag_cases if row else [],
        "reminded_at": _local(row.reminded_at) if row else None,
        "escalated_at": _local(row.escalated_at) if row else None,
    }


async def duty_list(
    pool: asyncpg.Pool,
    day: date | None,
    unit: str | None,
    now: datetime,
    policy: DutyPolicy | None = None,
    reader: Person | None = None,
) -> list[dict[str, Any]]:
    """Each report duty of `day` (default: today, local) with its state; with `reader`, only
    the duties the reader's unit sees (`duty_scope`)."""
    policy = policy or await ledger.policy_for(pool)
    day = day or policy.local_day(now)
    scope = duty_scope(policy, reader) if reader is not None else None
    found = await ledger.rows(pool, day, day, unit)
    return [
        duty_json(d, found.get((d.unit, d.day)), now)
        for d in duties_on(policy, day, unit)
        if scope is None or d.unit in scope
    ]


def duty_scope(policy: DutyPolicy, reader: Person) -> set[str] | None:
    """The units whose duties `reader` reads, as the case worklists scope cases: the county
    every unit (None: no limit); anyone else their own unit and the units reporting to it,
    directly or up a chain (a township its villages and grids, a grid worker their grid)."""
    if reader.level == Level.county.value:
        return None
    return units_under(policy, reader.unit) if reader.unit else set()


async def file_report(
    pool: asyncpg.Pool,
    person: Person,
    request: ReportRequest,
    now: datetime,
    lang: Lang | str = Lang.zh,
) -> dict[str, Any]:
    """File the person's unit's report; DutyRefused says why not. Filing twice keeps the
    first report and answers with it (`"already": true`)."""
    policy = await ledger.policy_for(pool)
    today = policy.local_day(now)
    reason = check_report(policy, request, person_unit=person.unit, today=today, lang=lang)
    if reason:
        raise DutyRefused(reason)
    unit, day = request.unit or person.unit, request.day or today
    assert unit is not None  # check_report refused a unit-less token
    (duty,) = duties_on(policy, day, unit)
    # Cases of the unit the engine took in this period before this report (零报告 flagged).
    found = await ledger.cases_opened(pool, unit, duty.period_start, now)
    flag_cases = found if request.kind is ReportKind.zero else []
    filed = await ledger.file_report(
        pool,
        duty,
        kind=request.kind,
        cases=request.cases,
        note=request.note,
        filed_by={"name": person.name, "role": person.role, "unit": person.unit},
        filed_at=now,
        flag_cases=flag_cases,
    )
    rows = await ledger.rows(pool, day, day, unit)
    log.info("duty report", unit=unit, day=day.isoformat(), kind=request.kind.value, new=filed)
    return {**duty_json(duty, rows.get((unit, day)), now), "already": not filed}


def schedule_for(policy: DutyPolicy, task_queue: str) -> Schedule:
    """A round every day at the policy's cut-off (local time, written in UTC: China keeps one
    offset all year)."""
    local = datetime.combine(date(2026, 1, 1), policy.cutoff, tzinfo=policy.zone)
    utc = local - timedelta(hours=policy.utc_offset_hours)
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DutyRoundWorkflow.run,
            DutyRoundInput(policy=policy),
            id=DUTY_WORKFLOW_ID,
            task_queue=task_queue,
            execution_timeout=timedelta(hours=23),
            static_summary=f"duty round {policy.name}",
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(utc.hour)],
                    minute=[ScheduleRange(utc.minute)],
                    comment=f"daily {policy.cutoff.strftime('%H:%M')} local",
                )
            ],
            time_zone_name="UTC",
        ),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=1)
        ),
    )


async def put_in_force(
    client: Client, pool: asyncpg.Pool, policy: DutyPolicy, task_queue: str, now: datetime
) -> str:
    """Record the policy and create (or replace) the duty round's schedule: 'created' or
    'updated'."""
    await ledger.set_policy(pool, policy, now)
    schedule = schedule_for(policy, task_queue)
    try:
        await client.create_schedule(DUTY_SCHEDULE_ID, schedule)
        return "created"
    except ScheduleAlreadyRunningError:

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(DUTY_SCHEDULE_ID).update(replace)
        return "updated"
