"""The dispatcher against real PostgreSQL and a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import asyncpg
import pytest

from ledger import notifications as store
from notify.dispatcher import Settings
from tests.notify.helpers import FAST, HANDLER, SUPERVISOR, dispatcher, rows, seed, until
from tests.notify.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


async def test_each_notification_is_delivered_once_with_its_id_and_readable_text(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    await seed(clean_pool, recipients=(HANDLER, SUPERVISOR))
    d = dispatcher(clean_pool, receiver.url, web_url="https://cases.example/")
    try:
        assert await d.run_once() == 2
        assert await d.run_once() == 0  # nothing is due any more: nothing is sent twice
    finally:
        await d.aclose()

    got = {r.body["recipient"]["role"]: r for r in receiver.received}
    assert len(receiver.received) == 2 and set(got) == {"grid_worker", "supervisor"}
    body = got["grid_worker"].body
    assert got["grid_worker"].headers["Idempotency-Key"] == body["id"]
    assert (body["case_id"], body["event"], body["seq"]) == ("L-0001", "warning", 2)
    assert body["recipient"] == {"role": "grid_worker", "unit": "G-07", "name": "赵网格员"}
    assert body["case_url"] == "https://cases.example/cases/L-0001"
    assert body["at"].startswith("2026-11-20")
    # Chinese by default: the place largest first, the due time in local time (UTC+8).
    assert body["lang"] == "zh"
    assert (
        "Water leaking from the flat above（Haibei Street Diamond Square Community）"
        in (body["text"])
    )
    assert "请于 2026-11-21 14:00 前化解或报告办理结果" in body["text"]
    assert body["text"].endswith("查看：https://cases.example/cases/L-0001")
    stored = await rows(clean_pool)
    assert [(r["attempts"], r["channel"], r["dead_at"]) for r in stored] == [
        (1, "webhook", None)
    ] * 2
    assert all(r["delivered_at"] is not None for r in stored)
    assert {str(r["message_id"]) for r in stored} == {r.body["id"] for r in receiver.received}


async def test_english_with_the_dispatchers_language_set_to_en(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    await seed(clean_pool)
    settings = dataclasses.replace(FAST, lang=Settings.from_env({"DISPUTE_LANG": "en"}).lang)
    d = dispatcher(clean_pool, receiver.url, settings, web_url="https://cases.example/")
    try:
        assert await d.run_once() == 1
    finally:
        await d.aclose()
    [got] = receiver.received
    assert got.body["lang"] == "en" and got.body["event"] == "warning"  # machine fields: English
    assert got.body["text"].splitlines() == [
        "[L-0001] Water leaking from the flat above (Diamond Square Community, Haibei Street)",
        "warning on L-0001",  # the ledger's summary, embedded as the case recorded it
        "Settle it or report the outcome by 2026-11-21 14:00, or it goes up a level.",
        "Open: https://cases.example/cases/L-0001",
    ]


async def test_a_receiver_down_for_a_while_gets_the_message_once_it_is_back(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    await seed(clean_pool)
    receiver.stop()
    d = dispatcher(clean_pool, receiver.url)
    try:
        for _ in range(3):  # three failed attempts, each after its back-off
            await until(d.run_once, what="a due attempt")
        [row] = await rows(clean_pool)
        assert (row["attempts"], row["delivered_at"], row["dead_at"]) == (3, None, None)
        assert "ConnectError" in row["last_error"]
        receiver.start()  # the same port again
        await until(d.run_once, what="the delivery")
    finally:
        await d.aclose()
    [row] = await rows(clean_pool)
    assert row["attempts"] == 4 and row["delivered_at"] is not None
    assert len(receiver.received) == 1


async def test_an_answer_500_is_retried_with_the_same_id(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    await seed(clean_pool)
    receiver.status = 500
    d = dispatcher(clean_pool, receiver.url)
    try:
        await d.run_once()
        [row] = await rows(clean_pool)
        assert row["delivered_at"] is None and row["last_error"].startswith("HTTP 500")
        receiver.status = 200
        await until(d.run_once, what="the retry")
    finally:
        await d.aclose()
    ids = [r.body["id"] for r in receiver.received]
    assert len(ids) == 2 and ids[0] == ids[1]
    [row] = await rows(clean_pool)
    assert row["attempts"] == 2 and row["delivered_at"] is not None


async def test_a_notification_failing_past_the_limit_is_dead_listed_and_can_be_retried(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    await seed(clean_pool)
    receiver.status = 503
    # Past the limit after a second: room for two attempts 0.05 s apart even when one
    # attempt is slow because the machine is busy (at 0.3 s a busy run saw one attempt).
    short = Settings(backoff=store.Backoff(0.05, 0.1, dead_after_s=1.0), poll_s=0.05)
    d = dispatcher(clean_pool, receiver.url, short)
    try:

        async def dead() -> bool:
            await d.run_once()
            return bool(await store.list_notifications(clean_pool, state="dead"))

        await until(dead, what="the row to die")
        await asyncio.sleep(0.2)
        assert await d.run_once() == 0  # a dead row is not tried again
        [row] = await store.list_notifications(clean_pool, state="dead")
        assert row["state"] == "dead" and row["attempts"] >= 2 and "HTTP 503" in row["last_error"]
        assert await store.list_notifications(clean_pool, state="pending") == []
        assert [r["id"] for r in await store.dead_notifications(clean_pool)] == [row["id"]]
        assert (await store.stats(clean_pool))["dead"] == 1

        receiver.status = 200
        await store.retry(clean_pool, row["id"])
        assert await d.run_once() == 1
    finally:
        await d.aclose()
    [row] = await rows(clean_pool)
    assert row["delivered_at"] is not None and row["dead_at"] is None
    with pytest.raises(store.RetryRefused, match="already delivered"):
        await store.retry(clean_pool, row["id"])
    with pytest.raises(store.RetryRefused, match="does not exist"):
        await store.retry(clean_pool, 999_999)


async def test_two_dispatchers_at_once_send_each_notification_once(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    events = tuple((seq, "warning", {}) for seq in (2, 3, 4))
    for i in range(20):
        await seed(clean_pool, f"L-{i:04}", events, recipients=(HANDLER, SUPERVISOR))
    receiver.hold_s = 0.005  # sends overlap in time
    small = Settings(backoff=FAST.backoff, poll_s=0.02, batch=7)
    one, two = (
        dispatcher(clean_pool, receiver.url, small),
        dispatcher(clean_pool, receiver.url, small),
    )
    stop = asyncio.Event()
    runs = [asyncio.create_task(d.run(stop)) for d in (one, two)]
    try:
        await until(lambda: len(receiver.received) >= 120, within_s=30, what="120 deliveries")
        await asyncio.sleep(0.3)  # a duplicate would arrive now
    finally:
        stop.set()
        await asyncio.gather(*runs)
        await one.aclose()
        await two.aclose()
    counts = Counter(r.body["id"] for r in receiver.received)
    assert len(counts) == 120 and set(counts.values()) == {1}
    # Each recipient read each case's story in order.
    for i in range(20):
        for role in ("grid_worker", "supervisor"):
            seqs = [b["seq"] for b in receiver.bodies()
                    if b["case_id"] == f"L-{i:04}" and b["recipient"]["role"] == role]  # fmt: skip
            assert seqs == [2, 3, 4]
    assert all(r["delivered_at"] is not None and r["attempts"] == 1 for r in await rows(clean_pool))


async def test_a_crash_between_send_and_record_resends_with_the_same_id(
    clean_pool: asyncpg.Pool, receiver: Receiver, pg_url: str
):
    await seed(clean_pool)
    receiver.hold_s = 60  # the dispatcher is killed while it waits for the answer
    env = {**os.environ, "DATABASE_URL": pg_url, "DISPUTE_WEBHOOK_URL": receiver.url,
           "DISPUTE_DISPATCHER_METRICS_PORT": "off"}  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "notify.dispatcher", cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await until(lambda: receiver.received, within_s=30, what="the first send")
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    [row] = await rows(clean_pool)
    assert row["delivered_at"] is None and row["attempts"] == 0  # the claim rolled back

    receiver.hold_s = 0
    d = dispatcher(clean_pool, receiver.url)
    try:
        await until(d.run_once, what="the re-send")
    finally:
        await d.aclose()
    first, second = receiver.received
    assert first.body["id"] == second.body["id"] == str(row["message_id"])
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    [row] = await rows(clean_pool)
    assert row["delivered_at"] is not None and row["attempts"] == 1


async def test_without_a_route_a_notification_waits_with_the_reason(clean_pool: asyncpg.Pool):
    await seed(clean_pool)
    from notify.channels import Webhook
    from notify.dispatcher import Dispatcher
    from notify.routing import Route, Routing

    only_county = Routing({"w": Webhook("w", "http://127.0.0.1:9/x")},
                          (Route("w", (("role", frozenset({"county_centre"})),)),))  # fmt: skip
    d = Dispatcher(clean_pool, only_county, FAST)
    try:
        await d.run_once()
    finally:
        await d.aclose()
    [row] = await rows(clean_pool)
    assert row["delivered_at"] is None and row["last_error"].startswith(
        "no route for role=grid_worker"
    )


async def test_metrics_count_sent_and_failed_and_show_the_oldest_pending_age(
    clean_pool: asyncpg.Pool, receiver: Receiver
):
    from prometheus_client import REGISTRY

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    await seed(clean_pool, "L-0001")
    await seed(clean_pool, "L-0002")
    await clean_pool.execute("UPDATE outbox SET created_at = now() - interval '90 seconds'")
    sent, failed = (
        sample("dispute_notifications_sent_total", channel="webhook"),
        sample("dispute_notifications_failed_total", channel="webhook"),
    )
    d = dispatcher(clean_pool, receiver.url)
    try:
        figures = await d.refresh_gauges()
        assert figures["pending"] == 2 and 90 <= figures["oldest_pending_s"] < 120
        assert sample("dispute_notifications_pending") == 2
        assert sample("dispute_notifications_oldest_pending_age_seconds") >= 90
        receiver.status = 500
        await d.run_once()
        receiver.status = 200

        async def both_sent() -> bool:
            await d.run_once()  # the two rows' back-offs end a moment apart
            return (await d.refresh_gauges())["pending"] == 0

        await until(both_sent, what="the retries")
    finally:
        await d.aclose()
    assert sample("dispute_notifications_failed_total", channel="webhook") - failed == 2
    assert sample("dispute_notifications_sent_total", channel="webhook") - sent == 2
    assert sample("dispute_notifications_pending") == 0
    assert sample("dispute_notifications_oldest_pending_age_seconds") == 0
