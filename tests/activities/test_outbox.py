"""The outbox against real PostgreSQL: a step's notifications, one row per recipient, written
once however often the step's ledger write retries."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from domain.case_models import CaseEvent
from domain.ladder import Level
from ledger.rows import Notification, Recipient, StepWrite
from tests.activities.test_ledger import OPENED, registration

NOTE = Notification(
    case_id="L-0001",
    seq=3,
    recipients=[
        Recipient(role="grid_worker", unit="G-07", name="赵网格员"),
        Recipient(role="supervisor", unit="Diamond Square Community"),
    ],
    message="red warning: 80% of the grid level's time is used",
)

STEP = StepWrite(
    case_id="L-0001",
    registration=registration(),
    events=[
        CaseEvent(
            seq=3,
            at=OPENED + timedelta(hours=19),
            kind="warning",
            level=Level.grid,
            summary=NOTE.message,
        )
    ],
    notifications=[NOTE],
)


async def test_each_recipient_gets_one_row_however_often_the_step_retries(
    clean_pool: asyncpg.Pool,
):
    env = ActivityEnvironment()
    ledger = LedgerActivities(clean_pool)

    first = await env.run(ledger.write_step, STEP)
    retry = await env.run(ledger.write_step, STEP)

    assert (first.written, retry.written) == (True, False)
    rows = await clean_pool.fetch(
        "SELECT recipient_role, recipient_unit, recipient_name, delivered_at FROM outbox "
        "WHERE case_id = 'L-0001' AND seq = 3 ORDER BY recipient_role"
    )
    assert [tuple(r) for r in rows] == [
        ("grid_worker", "G-07", "赵网格员", None),
        ("supervisor", "Diamond Square Community", None, None),
    ]


def test_a_partys_row_names_no_one_a_staff_members_names_them():
    from ledger.outbox import outbox_rows

    note = Notification(
        case_id="L-0001",
        seq=7,
        recipients=[
            Recipient(role="applicant", unit="party", name="王某"),
            Recipient(role="grid_worker", unit="G-07", name="赵网格员"),
        ],
        message="mediation track lapsed",
    )
    assert [(r[2], r[4]) for r in outbox_rows([note])] == [
        ("applicant", None),
        ("grid_worker", "赵网格员"),
    ]
