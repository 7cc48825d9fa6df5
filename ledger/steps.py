"""A case's step in the ledger: the registration (on the opening step), the step's events,
their notifications (the `outbox`), the handlers picked from the roster and the case's new
state, in one transaction.

Every write is idempotent on a business key, because the activity retries: a case row is
keyed by its case id, an event by (case id, seq), a notification by (case id, seq,
recipient), and the snapshot only moves forward in `seq`.
"""

from __future__ import annotations

import asyncpg

from domain.case_models import Assignee
from ledger.outbox import QUEUE_SQL, outbox_rows
from ledger.roster import pick_handler
from ledger.rows import (
    AssignRequest,
    CaseRegistration,
    CaseSnapshot,
    Notification,
    Recipient,
    StepWrite,
)

_REGISTER = """
INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
                   township, village, grid, reported_at, opened_at, policy_name, intake, level)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (case_id) DO NOTHING
"""

#: A step's events in one statement (one round trip, however many events).
_APPEND_EVENTS = """
INSERT INTO case_events (case_id, seq, at, kind, level, summary, actor, data)
SELECT $1, e.* FROM unnest($2::integer[], $3::timestamptz[], $4::text[], $5::text[],
                           $6::text[], $7::jsonb[], $8::jsonb[]) AS e
ON CONFLICT (case_id, seq) DO NOTHING
"""

_WRITTEN_ASSIGNEE = (
    "SELECT data -> 'assignee' AS assignee FROM case_events WHERE case_id = $1 AND seq = $2"
)

# `last_seq < $7` keeps a late retry of an older step from rolling the state back.
_SNAPSHOT = """
UPDATE cases
   SET status = $2, level = $3, assignee = $4, due_at = $5, closed_at = $6,
       last_seq = $7, risk = COALESCE($8, risk), township = COALESCE($9, township),
       village = COALESCE($10, village), grid = COALESCE($11, grid), deadline = $12,
       deadline_clock = $13, visit_due_at = $14, updated_at = now()
 WHERE case_id = $1 AND last_seq < $7
"""

# A `merged` event links the case to the one it was merged into, both ways (case_links,
# migration 013); a target missing from the ledger links nothing rather than fail the step.
_MERGE_LINK = """
INSERT INTO case_links (case_id, other_id, kind, note, actor, at)
SELECT $1::text, $2::text, $3::text, $4::text, $5::jsonb, $6::timestamptz
 WHERE (SELECT count(*) FROM cases WHERE case_id IN ($1::text, $2::text)) = 2
ON CONFLICT (case_id, other_id) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note,
       actor = EXCLUDED.actor, at = EXCLUDED.at
"""

# A `linked` event links the two cases as `related`, both ways; a pair already linked (as a
# merge too) stays as it is.
_RELATED_LINK = """
INSERT INTO case_links (case_id, other_id, kind, note, actor, at)
SELECT $1::text, $2::text, 'related', $3::text, $4::jsonb, $5::timestamptz
 WHERE (SELECT count(*) FROM cases WHERE case_id IN ($1::text, $2::text)) = 2
ON CONFLICT (case_id, other_id) DO NOTHING
"""

#: The events that link their case to another as `related`, and the key naming the other: a
#: handler's `linked`; a repeated 信访 matter registered or answered "not accepted", linked to
#: the earlier matter (信访工作条例 Art. 36 ¶3), so both show the link in `status`.
_LINKED_BY = {
    "linked": "other",
    "petition_registered": "linked_to",
    "petition_not_accepted": "linked_to",
}

#: What PostgreSQL (or asyncpg, encoding a value) refuses the same way on every retry.
UNSTORABLE = (
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
    UnicodeEncodeError,
    ValueError,  # asyncpg's client-side DataError: a value it cannot encode
)


def _registration_row(case: CaseRegistration) -> tuple:
    intake, loc = case.intake, case.intake.location
    return (
        case.case_id, case.workflow_id, intake.dispute_type.value, intake.complexity.value,
        case.risk.value, intake.title, loc.county, loc.township, loc.village, loc.grid,
        intake.reported_at, case.opened_at, case.policy_name, intake.model_dump(mode="json"),
        case.level.value,
    )  # fmt: skip


def _snapshot_row(snap: CaseSnapshot) -> tuple:
    loc = snap.location
    return (
        snap.case_id, snap.status.value, snap.level.value,
        snap.assignee.model_dump(mode="json") if snap.assignee else None,
        snap.due_at, snap.closed_at, snap.last_seq,
        snap.risk.value if snap.risk else None,
        loc.township if loc else None, loc.village if loc else None, loc.grid if loc else None,
        snap.deadline, snap.deadline_clock, snap.visit_due_at,
    )  # fmt: skip


async def _assign(conn: asyncpg.Connection, step: StepWrite) -> tuple[StepWrite, list]:
    """Pick the step's handlers from the roster and write them into its events, its
    notifications and its snapshot: the step as it is then to be written."""
    picked: list[Assignee | None] = []
    events = list(step.events)
    notes = list(step.notifications)
    snapshot = step.snapshot
    for a in step.assignments:
        # A retry of a step already written keeps the handler it picked then: the roster's
        # counts have moved since (this case now counts for that handler).
        row = await conn.fetchrow(_WRITTEN_ASSIGNEE, step.case_id, a.seqs[0])
        if row is not None:
            who = Assignee.model_validate(row["assignee"]) if row["assignee"] else None
        else:
            request = AssignRequest(
                case_id=step.case_id, level=a.level, location=a.location, role=a.role
            )
            who = (await pick_handler(conn, request)).assignee
        picked.append(who)
        events = a.named(events, who)
        to = Recipient(role=who.role, unit=who.unit, name=who.name) if who else a.fallback
        if a.text and to is not None:
            first = next(e for e in events if e.seq == a.seqs[0])
            notes.append(
                Notification(
                    case_id=step.case_id, seq=first.seq, recipients=[to], message=first.summary
                )
            )
        if a.holds == "handler" and snapshot is not None:
            snapshot = snapshot.model_copy(update={"assignee": who})
    written = step.model_copy(
        update={"events": events, "notifications": notes, "snapshot": snapshot}
    )
    return written, picked


async def _write(conn: asyncpg.Connection, step: StepWrite) -> bool:
    columns = (
        [e.seq for e in step.events], [e.at for e in step.events],
        [e.kind for e in step.events], [e.level.value for e in step.events],
        [e.summary for e in step.events],
        [e.actor.model_dump(mode="json") if e.actor else None for e in step.events],
        [e.data for e in step.events],
    )  # fmt: skip
    registered = None
    if step.registration is not None:
        registered = await conn.execute(_REGISTER, *_registration_row(step.registration))
    # The status is "INSERT 0 n" for n new rows and "INSERT 0 0" when a retry already wrote
    # the step (its events are written together or not at all): it tells whether it is new.
    appended = await conn.execute(_APPEND_EVENTS, step.case_id, *columns) if step.events else None
    for e in step.events:
        into = e.data.get("into") if e.kind == "merged" else None
        if isinstance(into, str) and into != step.case_id:
            actor = e.actor.model_dump(mode="json") if e.actor else None
            why = e.data.get("reason")
            await conn.execute(_MERGE_LINK, step.case_id, into, "duplicate_of", why, actor, e.at)
            await conn.execute(_MERGE_LINK, into, step.case_id, "merged_from", why, actor, e.at)
        other = e.data.get(_LINKED_BY.get(e.kind, ""))
        if isinstance(other, str) and other != step.case_id:
            actor = e.actor.model_dump(mode="json") if e.actor else None
            note = e.data.get("note") or e.data.get("law")
            await conn.execute(_RELATED_LINK, step.case_id, other, note, actor, e.at)
            await conn.execute(_RELATED_LINK, other, step.case_id, note, actor, e.at)
    if step.notifications:
        await conn.executemany(QUEUE_SQL, outbox_rows(step.notifications))
    if step.snapshot is not None:
        await conn.execute(_SNAPSHOT, *_snapshot_row(step.snapshot))
    first = appended or registered
    return first is not None and not first.endswith(" 0")


async def write_step(
    pool: asyncpg.Pool, step: StepWrite
) -> tuple[StepWrite, bool, list[Assignee | None]]:
    """Write one step in one transaction: the step as written (its handlers picked and named
    in its events, notifications and snapshot), whether it was new (False for a retry of a
    step already written) and the handlers picked. Raises one of `UNSTORABLE` when the
    database refuses the data."""
    async with pool.acquire() as conn, conn.transaction():
        step, picked = await _assign(conn, step)
        new = await _write(conn, step)
    return step, new, picked
