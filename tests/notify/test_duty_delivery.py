"""Duty reminders and escalations (零报告) leave through the outbox and the dispatcher as case
notifications do: the real duty activity queues them, the real dispatcher sends them to a
real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.report_duties import DutyActivities
from domain.report_duties import DutyPolicy, NoticeKind, NoticeRequest, ReportRequest, duties_on
from ledger import notifications as store
from ledger import report_duties as ledger
from ledger.tokens import Person
from service.report_duties import file_report
from tests.notify.helpers import dispatcher, rows
from tests.notify.receiver import Receiver

DAY = date(2026, 12, 31)
POLICY = DutyPolicy.model_validate(
    {
        "name": "delivery-test",
        "cutoff": "16:00",
        "escalate_after": "1h",
        "units": [
            {"unit": "一村第一网格", "reports_to": "一村", "every": "daily"},
            {"unit": "一村第二网格", "reports_to": "一村", "every": "daily"},
        ],
    }
)


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
async def duty_pool(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    await clean_pool.execute("TRUNCATE duty_reports, duty_notices, duty_policy")
    await ledger.set_policy(clean_pool, POLICY, datetime(2026, 12, 1, tzinfo=UTC))
    return clean_pool


async def notify(pool: asyncpg.Pool, kind: NoticeKind, at: datetime) -> list[str]:
    request = NoticeRequest(policy=POLICY, day=DAY, kind=kind, at=at)
    return (await ActivityEnvironment().run(DutyActivities(pool).notify, request)).units


async def test_a_reminder_and_an_escalation_reach_the_webhook_once_each(
    duty_pool: asyncpg.Pool, receiver: Receiver
):
    duty = duties_on(POLICY, DAY)[0]
    person = Person(token_id="t", name="网格员", unit="一村第二网格", role="grid_worker",
                    level="grid")  # fmt: skip
    before = duty.cutoff_at - timedelta(hours=1)
    await file_report(duty_pool, person, ReportRequest(day=DAY), before)
    assert await notify(duty_pool, NoticeKind.reminder, duty.cutoff_at) == ["一村第一网格"]
    # A retried activity queues nothing twice.
    assert await notify(duty_pool, NoticeKind.reminder, duty.cutoff_at) == ["一村第一网格"]
    assert len(await rows(duty_pool)) == 1
    d = dispatcher(duty_pool, receiver.url)
    try:
        assert await d.run_once() == 1
        await notify(duty_pool, NoticeKind.escalation, duty.escalate_at)
        assert await d.run_once() == 1
        assert await d.run_once() == 0
    finally:
        await d.aclose()

    reminder, escalation = (r.body for r in receiver.received)
    assert reminder["case_id"] is None and reminder["event"] == "duty_reminder"
    assert reminder["recipient"] == {"role": "reporting_unit", "unit": "一村第一网格", "name": None}
    assert reminder["duty"] == {"unit": "一村第一网格", "day": "2026-12-31", "notice": "reminder"}
    assert reminder["text"].startswith("【零报告】一村第一网格 2026-12-31")
    assert "16:00" in reminder["text"]
    assert escalation["event"] == "duty_escalation"
    assert escalation["recipient"] == {"role": "supervisor", "unit": "一村", "name": None}
    assert escalation["duty"]["notice"] == "escalation"
    assert receiver.received[0].headers["Idempotency-Key"] == reminder["id"] != escalation["id"]
    stored = await store.list_notifications(duty_pool)
    assert [(r["duty_key"], r["kind"], r["state"]) for r in stored] == [
        ("2026-12-31/escalation/一村第一网格", "duty_escalation", "delivered"),
        ("2026-12-31/reminder/一村第一网格", "duty_reminder", "delivered"),
    ]


async def test_an_undelivered_duty_notice_is_listed_dead_under_its_duty(duty_pool: asyncpg.Pool):
    duty = duties_on(POLICY, DAY)[0]
    await notify(duty_pool, NoticeKind.reminder, duty.cutoff_at)
    await duty_pool.execute("UPDATE outbox SET dead_at = now()")
    (dead,) = [r for r in await store.dead_notifications(duty_pool)
               if r["recipient_unit"] == "一村第一网格"]  # fmt: skip
    assert (dead["case_id"], dead["kind"]) == ("duty 2026-12-31/reminder/一村第一网格",
                                               "duty_reminder")  # fmt: skip
