"""The dispatcher: sends pending outbox rows through their channels and records the outcome.

    python -m notify.dispatcher      (started by `make run` as its own process)

Runs beside the worker, as many copies as you like: each batch of due rows is claimed with
`FOR UPDATE SKIP LOCKED` and held until its outcome is written, so two dispatchers never send
the same row at once. A crash between a send and its record rolls the claim back and the row is
sent again later with the same id (receivers drop repeats by `Idempotency-Key`). Failures wait
with a doubling back-off; a row still failing `DISPUTE_NOTIFY_DEAD_AFTER` after it was queued is
marked dead, logged with its case id, and listed in the daily clearance report.

Settings (environment): DISPUTE_WEBHOOK_URL / DISPUTE_CHANNELS_FILE (notify.routing),
DISPUTE_WEB_URL (case links), DISPUTE_NOTIFY_RETRY_BASE (default 5s), DISPUTE_NOTIFY_RETRY_MAX
(10m), DISPUTE_NOTIFY_DEAD_AFTER (1d), DISPUTE_NOTIFY_POLL (1s), DISPUTE_NOTIFY_TIMEOUT (10s),
DISPUTE_UTC_OFFSET_HOURS (8: how times are written in the text), DISPUTE_LANG (the text's
language: Chinese unless `en`), DISPUTE_DISPATCHER_METRICS_PORT (9465).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncpg
import httpx
import structlog

from domain.policy import parse_duration
from ledger import notifications as store
from notify import metrics, texts
from notify.channels import DeliveryError
from notify.outgoing import Outgoing, from_row
from notify.routing import Routing, RoutingError, load_routing
from runtime.settings import settings, settings_of
from texts import Lang, parse_lang

log = structlog.get_logger("notify.dispatcher")

CHANNEL = "outbox_pending"  # the trigger of migrations/007_delivery.sql notifies here


def _seconds(text: str, name: str) -> float:
    try:
        return parse_duration(text).total_seconds()
    except ValueError as err:
        raise RoutingError(f"{name}: {err}") from None


@dataclass(frozen=True)
class Settings:
    backoff: store.Backoff = field(default_factory=store.Backoff)
    batch: int = 50
    poll_s: float = 1.0
    timeout_s: float = 10.0
    web_url: str | None = None
    offset_hours: float = texts.DEFAULT_UTC_OFFSET_HOURS
    gauges_every_s: float = 5.0
    lang: Lang = Lang.zh

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        s = settings() if env is None else settings_of(env)
        return cls(
            backoff=store.Backoff(
                base_s=_seconds(s.notify_retry_base, "DISPUTE_NOTIFY_RETRY_BASE"),
                ceiling_s=_seconds(s.notify_retry_max, "DISPUTE_NOTIFY_RETRY_MAX"),
                dead_after_s=_seconds(s.notify_dead_after, "DISPUTE_NOTIFY_DEAD_AFTER"),
            ),
            poll_s=_seconds(s.notify_poll, "DISPUTE_NOTIFY_POLL"),
            timeout_s=_seconds(s.notify_timeout, "DISPUTE_NOTIFY_TIMEOUT"),
            web_url=s.web_url or None,
            offset_hours=float(s.utc_offset_hours or texts.DEFAULT_UTC_OFFSET_HOURS),
            lang=parse_lang(s.lang),
        )


class Dispatcher:
    """Claims, sends and records; `run` loops until `stop` is set."""

    def __init__(
        self, pool: asyncpg.Pool, routing: Routing, settings: Settings,
        client: httpx.AsyncClient | None = None,
    ) -> None:  # fmt: skip
        self._pool = pool
        self._routing = routing
        self._settings = settings
        self._client = client or httpx.AsyncClient(timeout=settings.timeout_s)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, msg: Outgoing) -> tuple[str | None, str | None]:
        """(channel name, error or None)."""
        channel = self._routing.channel_for(msg)
        if channel is None:
            return None, f"no route for role={msg.role} unit={msg.unit} level={msg.level}"
        try:
            await channel.send(self._client, msg)
        except DeliveryError as err:
            return channel.name, str(err)
        except Exception as err:  # a channel's bug or bad setting must not stop the others
            log.exception("channel failed unexpectedly", case_id=msg.case_id, channel=channel.name)
            return channel.name, f"unexpected {type(err).__name__}: {err}"
        return channel.name, None

    async def run_once(self) -> int:
        """One batch: claim due rows, send them concurrently, record each outcome; the count."""
        s = self._settings
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await store.claim(conn, s.batch)
            if not rows:
                return 0
            msgs = [
                from_row(r, web_url=s.web_url, offset_hours=s.offset_hours, lang=s.lang)
                for r in rows
            ]
            outcomes = await asyncio.gather(*(self._send(m) for m in msgs))
            for msg, (channel, error) in zip(msgs, outcomes, strict=True):
                await self._record(conn, msg, channel, error)
        return len(rows)

    async def _record(
        self, conn: asyncpg.Connection, msg: Outgoing, channel: str | None, error: str | None
    ) -> None:
        bound = log.bind(case_id=msg.case_id, seq=msg.seq, event=msg.event, id=msg.id,
                         to_role=msg.role, to_unit=msg.unit, channel=channel)  # fmt: skip
        if msg.case_id is None:
            bound = bound.bind(duty=msg.extra.get("duty"))
        if error is None:
            await store.mark_delivered(conn, msg.row_id, channel or "")
            metrics.SENT.labels(channel).inc()
            bound.info("notification delivered")
            return
        row = await store.mark_failed(conn, msg.row_id, error, channel, self._settings.backoff)
        metrics.FAILED.labels(channel or "none").inc()
        if row["dead_at"] is not None:
            metrics.DEAD.inc()
            bound.error("notification dead", attempts=row["attempts"], error=error)
        else:
            bound.warning("notification not delivered", attempts=row["attempts"], error=error,
                          next_attempt_at=row["next_attempt_at"].isoformat())  # fmt: skip

    async def refresh_gauges(self) -> dict[str, float]:
        figures = await store.stats(self._pool)
        metrics.PENDING.set(figures["pending"])
        metrics.DEAD_NOW.set(figures["dead"])
        metrics.OLDEST.set(figures["oldest_pending_s"])
        return figures

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop`: woken by the outbox trigger, polling every `poll_s` besides."""
        wake = asyncio.Event()
        gauges = asyncio.create_task(self._gauges(stop))
        listener = await self._pool.acquire()
        on_insert = lambda *_: wake.set()  # noqa: E731
        try:
            await listener.add_listener(CHANNEL, on_insert)
            if not self._routing.configured:
                # Logs are for operators and stay English, as every log line of the project.
                log.warning("nothing will be sent: " + texts.not_configured(Lang.en))
                await stop.wait()
                return
            while not stop.is_set():
                wake.clear()
                try:
                    handled = await self.run_once()
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as err:
                    log.error("dispatch round failed", error=str(err))
                    handled = 0
                if handled:
                    # More may be due right away: the rest of a full batch, or a recipient's
                    # next message, which waited for the one just sent.
                    continue
                await _first(stop, wake, within_s=self._settings.poll_s)
        finally:
            gauges.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await gauges
            with contextlib.suppress(asyncpg.InterfaceError):
                await listener.remove_listener(CHANNEL, on_insert)
            await self._pool.release(listener)

    async def _gauges(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh_gauges()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as err:
                log.warning("delivery figures not read", error=str(err))
            await _first(stop, within_s=self._settings.gauges_every_s)


async def _first(*events: asyncio.Event, within_s: float) -> None:
    """Return when any event is set or after `within_s` seconds."""
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=within_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def main() -> None:
    from runtime import config, db
    from runtime import logging as logsetup

    logsetup.configure()
    routing, settings = load_routing(), Settings.from_env()
    pool = await db.create_pool(config.database_url())
    await db.migrate(pool)
    metrics.serve(metrics.DISPATCHER_PORT_ENV, metrics.DISPATCHER_PORT)
    dispatcher = Dispatcher(pool, routing, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("dispatcher started", channels=routing.describe(), routes=len(routing.routes),
             dead_after_s=settings.backoff.dead_after_s, lang=settings.lang.value)  # fmt: skip
    try:
        await dispatcher.run(stop)
    finally:
        await dispatcher.aclose()
        await pool.close()
    log.info("dispatcher stopped")


if __name__ == "__main__":
    from runtime.config import ConfigError

    try:
        asyncio.run(main())
    except (ConfigError, RoutingError, ValueError) as err:
        raise SystemExit(f"dispatcher: {err}") from None
