"""The assessment cycle's Temporal Schedules, created or brought up to date idempotently.

"日清周评月考核": a daily clearance list at 08:00, a weekly review on Monday at 08:30 and a
monthly assessment on the 1st at 09:00, Beijing time. The calendars are written in UTC
(08:00 UTC+8 is 00:00 UTC): China has no daylight saving, so the offset never moves, and UTC
needs no time-zone database on the Temporal server. At those hours the UTC date is already the
local date, so the local "today", "last week" and "last month" are what the run covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain.assessment_models import AssessmentInput
from domain.naming import (
    RECONCILE_SCHEDULE_ID,
    RECONCILE_WORKFLOW_ID,
    assessment_schedule_id,
    assessment_workflow_id,
)
from domain.periods import AssessmentKind
from domain.reconcile_models import ReconcileInput
from runtime.text import _
from texts import process_lang
from texts.terms import label
from workflows.assessment import AssessmentWorkflow
from workflows.reconcile import ReconcileWorkflow

#: When each kind runs, in UTC (Beijing time in the comment).
CALENDARS: dict[AssessmentKind, ScheduleCalendarSpec] = {
    AssessmentKind.daily: ScheduleCalendarSpec(
        hour=[ScheduleRange(0)], minute=[ScheduleRange(0)], comment="daily 08:00 UTC+8"
    ),
    AssessmentKind.weekly: ScheduleCalendarSpec(
        day_of_week=[ScheduleRange(1)],  # Monday
        hour=[ScheduleRange(0)],
        minute=[ScheduleRange(30)],
        comment="Monday 08:30 UTC+8",
    ),
    AssessmentKind.monthly: ScheduleCalendarSpec(
        day_of_month=[ScheduleRange(1)],
        hour=[ScheduleRange(1)],
        minute=[ScheduleRange(0)],
        comment="1st of the month 09:00 UTC+8",
    ),
}

#: A run missed while the server was down still happens if the server is back within a day.
CATCHUP_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class ScheduleOutcome:
    schedule_id: str
    action: Literal["created", "updated"]


def schedule_for(kind: AssessmentKind, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            AssessmentWorkflow.run,
            AssessmentInput(kind=kind),
            id=assessment_workflow_id(kind),
            task_queue=task_queue,
            # A stuck run must end, or SKIP would skip every later one.
            execution_timeout=timedelta(hours=6),
            # The Web UI's summary of each run, in the language of whoever set the schedules.
            static_summary=_("{kind} assessment").format(
                kind=label("period", kind, process_lang())
            ),
        ),
        spec=ScheduleSpec(calendars=[CALENDARS[kind]], time_zone_name="UTC"),
        # Two runs of one kind at once would write the same files: skip the second.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
        state=ScheduleState(note=f"assessment cycle: {CALENDARS[kind].comment}"),
    )


async def ensure_schedules(client: Client, task_queue: str) -> list[ScheduleOutcome]:
    """Create the three schedules, or update those that exist to the definition here (so a
    changed time or task queue takes effect). Calling it again changes nothing more."""
    outcomes = []
    for kind in AssessmentKind:
        schedule_id = assessment_schedule_id(kind)
        schedule = schedule_for(kind, task_queue)
        try:
            await client.create_schedule(schedule_id, schedule)
            outcomes.append(ScheduleOutcome(schedule_id, "created"))
        except ScheduleAlreadyRunningError:

            def replace(current: ScheduleUpdateInput, new: Schedule = schedule) -> ScheduleUpdate:
                # Keep a pause someone set by hand (UI or CLI) and its reason; replace the rest.
                state = current.description.schedule.state
                if state.paused:
                    new.state.paused, new.state.note = True, state.note
                return ScheduleUpdate(schedule=new)

            await client.get_schedule_handle(schedule_id).update(replace)
            outcomes.append(ScheduleOutcome(schedule_id, "updated"))
    return outcomes


#: How often the reconciler looks for cases whose workflow ended outside the engine: a case
#: terminated by hand is marked in the ledger, and its supervisor told, within a minute.
RECONCILE_EVERY = timedelta(seconds=30)


def reconcile_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ReconcileWorkflow.run,
            ReconcileInput(),
            id=RECONCILE_WORKFLOW_ID,
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=5),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=RECONCILE_EVERY)]),
        # A pass still running when the next is due: skip the next; a missed one is not
        # worth catching up (the next pass sees the same).
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(minutes=1)
        ),
        state=ScheduleState(note="reconciler: cases whose workflow ended outside the engine"),
    )


async def ensure_reconcile_schedule(client: Client, task_queue: str) -> ScheduleOutcome:
    """Create the reconciler's schedule, or bring it up to date (keeping a pause set by hand)."""
    schedule = reconcile_schedule(task_queue)
    try:
        await client.create_schedule(RECONCILE_SCHEDULE_ID, schedule)
        return ScheduleOutcome(RECONCILE_SCHEDULE_ID, "created")
    except ScheduleAlreadyRunningError:

        def replace(current: ScheduleUpdateInput) -> ScheduleUpdate:
            state = current.description.schedule.state
            if state.paused:
                schedule.state.paused, schedule.state.note = True, state.note
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(RECONCILE_SCHEDULE_ID).update(replace)
        return ScheduleOutcome(RECONCILE_SCHEDULE_ID, "updated")
