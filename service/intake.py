"""Submitting intake records: a bounded pipeline from the file to started case workflows.

The file is read and validated as a stream (in a thread, a batch at a time), each batch's
case ids are checked against the ledger, and up to `concurrency` workflow starts are in
flight at once; results come back in input order, one per record, as INTAKE.md prints them.
At most `WINDOW_FACTOR × concurrency` records are held between reading and printing, so
memory stays flat whatever the file's size, and the first case starts as soon as its line
is read. A case id in the ledger already, or whose workflow id Temporal has seen, is a
`duplicate`: the same case id never makes two workflows.

When the run stops early (Ctrl-C, a lost server), the records already read are still each
given their line — `started` for what did start, a `(server)` or `(interrupted)` rejection
for what did not — and the caller learns where it stopped: running the same file again
finishes the rest, the started ones coming back as `duplicate`.
"""

from __future__ import annotations

import asyncio
import io
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, TextIO

import asyncpg
import structlog
from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.calendar import parse_calendar
from domain.case_models import CaseStart
from domain.case_summary import start_details, start_summary
from domain.court_mediation import mediation_part
from domain.intake import Format, IntakeRecord, detect_format
from domain.intake_models import CaseIntake
from domain.mediation_policy import LABOUR_TYPES
from domain.naming import CASE_WORKFLOW, PROCEDURE_WORKFLOW, TASK_QUEUE, workflow_id_for
from domain.policy import Policy, parse_policy
from domain.procedure_models import ProcedureStart, counting_for, start_state
from domain.related import SeenInFile, similar_query
from ledger import related
from ledger.cases import known_case_ids
from runtime import config
from runtime.procedures import load_tables
from runtime.text import _
from texts import Lang, process_lang
from workflows import search_attributes as sa

log = structlog.get_logger("intake")

DEFAULT_CONCURRENCY = 32
#: Records held between reading and printing, per start in flight (the reorder buffer).
#: Results print in input order, so one slow start holds back the lines behind it; with a
#: window of 4 × concurrency a start the server kept a second or two filled the window, and
#: fewer starts were in flight until it answered (intake ran at 0.8 × bare starts under
#: load). 16 × 32 records is a few MB at most.
WINDOW_FACTOR = 16
#: Records taken from the reading thread at a time (one ledger query checks them all).
BATCH = 64
#: How much of the file is read first, to sniff the format and check it is UTF-8.
HEAD_BYTES = 64 * 1024
#: How long one start keeps being retried while Temporal is unreachable or overloaded (a
#: dev server that dropped its connections, a restart) before the run stops: long enough
#: for a server to come back, so a 100,000-record file goes on instead of ending at 93,000.
RECONNECT_FOR = 300.0
#: Answers after which the same start is tried again: the server did not say no.
RETRIED = frozenset(
    {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED}
)


class IntakeSourceError(ValueError):
    """The input cannot be used at all (not UTF-8); str(err) is the message for the clerk."""


class _Prefixed(io.RawIOBase):
    """The bytes already read (the head), then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        # read1: what a pipe has now, not a full buffer's worth (that would wait for more).
        self._read = getattr(rest, "read1", rest.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: BinaryIO) -> tuple[bytes, bool]:
    """Up to HEAD_BYTES, and whether the stream ended within them. From a pipe, only what has
    arrived once something is there: a script feeding stdin slowly sees its first case start."""
    head = b""
    read1 = getattr(stream, "read1", stream.read)
    pipe = not (hasattr(stream, "seekable") and stream.seekable())
    while len(head) < HEAD_BYTES:
        chunk = read1(HEAD_BYTES - len(head))
        if not chunk:
            return head, True
        head += chunk
        if pipe and head.strip():
            break
    return head, False


def open_intake(name: str, stream: BinaryIO) -> tuple[Format, Iterator[str]]:
    """The format and the lines of an intake stream, read lazily.

    The first 64 KiB must be UTF-8 (a file in another encoding is refused as a whole); a bad
    byte further on reaches the parser as a surrogate escape, and only its record is refused.
    """
    head, at_end = _read_head(stream)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        # A character cut by the end of the head is not an error.
        if at_end or err.reason != "unexpected end of data":
            raise IntakeSourceError(
                _("{name} is not UTF-8 text (byte {byte}): save it as UTF-8 and try again").format(
                    name=name, byte=err.start
                )
            ) from None
    fmt = detect_format(name, head.decode("utf-8", "replace"))
    text = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(head, stream)),
        encoding="utf-8-sig",
        errors="surrogateescape",
        # JSON Lines split on "\n" only (U+2028 and "\r" are legal inside JSON strings);
        # CSV as the csv module wants it, so a quoted cell may span lines.
        newline="\n" if fmt == "jsonl" else "",
    )
    return fmt, iter(text)


async def look_alikes(pool: asyncpg.Pool, intakes: list[CaseIntake]) -> list[list[str]]:
    """For each intake, the open or recently closed cases that look like it
    (domain/related.py), in one query for them all; none when the database cannot say (the
    cases are started all the same)."""
    now = datetime.now(UTC)
    try:
        return await related.similar_each(pool, [similar_query(i, now) for i in intakes])
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
        log.warning("look-alikes not searched", cases=len(intakes), error=type(err).__name__)
        return [[] for _ in intakes]


def _with_file(
    found: list[str], intake: CaseIntake, seen: SeenInFile, later: set[str]
) -> list[str]:
    """The ledger's look-alikes of a record, less the same file's later records (started at
    the same time, they came after it), then the same file's earlier records that look alike
    (the ledger may not have them yet)."""
    kept = [c for c in found if c not in later]
    return kept + [c for c in seen.alike(intake) if c not in kept]


def result_line(record: IntakeRecord, status: str, errors: list[dict] | None = None) -> dict:
    return {
        "line": record.line,
        "case_id": record.case_id,
        "workflow_id": workflow_id_for(record.case_id) if record.case_id else None,
        "status": status,
        "errors": errors if errors is not None else [e.model_dump() for e in record.errors],
        # Earlier cases that look like the same dispute (filled in for a started case).
        "similar": [],
    }


async def start_case(
    client: Client, intake: CaseIntake, policy: Policy, lang: Lang | None = None
) -> bool:
    """Start the case's workflow, its texts in `lang` (this process's language unless told);
    False when its workflow id exists already."""
    assert intake.case_id is not None
    loc, lang = intake.location, lang or process_lang()
    # Started by type name: intake never loads the workflows' code (its start-up is part of
    # its rate, bench/intake.py); the input is the same pydantic model the workflow takes.
    start: CaseStart | ProcedureStart
    if intake.procedure is not None:
        workflow, start = PROCEDURE_WORKFLOW, procedure_start(intake, policy, lang)
    else:
        workflow, start = CASE_WORKFLOW, case_start(intake, policy, lang)
    try:
        await client.start_workflow(
            workflow,
            start,
            id=workflow_id_for(intake.case_id),
            task_queue=TASK_QUEUE,
            # Never a second workflow for one case id, running or closed.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            # Searchable from the first second, before a worker has picked the case up.
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.DISPUTE_TYPE, intake.dispute_type.value),
                    SearchAttributePair(sa.TOWNSHIP, loc.township),
                    SearchAttributePair(sa.VILLAGE, loc.village),
                    SearchAttributePair(sa.GRID, loc.grid),
                    SearchAttributePair(sa.CASE_STATUS, "open"),
                ]
            ),
            static_summary=start_summary(intake, lang),
            static_details=start_details(intake, lang),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


async def start_retrying(
    client: Client, intake: CaseIntake, policy: Policy, *, reconnect_for: float = RECONNECT_FOR
) -> bool:
    """`start_case`, tried again while Temporal is unreachable or overloaded (`RETRIED`), for
    up to `reconnect_for` seconds from the first failure; then the last error is raised.

    Idempotent on the case id: the workflow id is the case's, so a start repeated after its
    answer was lost cannot make a second workflow. It only has to say whether the case was
    started by this run: after a lost answer, "already started" is ours when the workflow's
    start event carries this client's identity (pid@host), and a duplicate otherwise.
    """
    delay, give_up, retried = 0.25, 0.0, False
    while True:
        try:
            started = await start_case(client, intake, policy)
        except RPCError as err:
            now = time.monotonic()
            give_up = give_up or now + reconnect_for
            if err.status not in RETRIED or now >= give_up:
                raise
            log.warning("start retried", case_id=intake.case_id, status=err.status.name)
            await asyncio.sleep(min(delay, max(0.0, give_up - now)))
            delay, retried = min(delay * 2, 5.0), True
            continue
        if started or not retried:
            return started
        assert intake.case_id is not None
        return await started_by(client, workflow_id_for(intake.case_id))


async def started_by(client: Client, workflow_id: str) -> bool:
    """Whether this client started the workflow (its first event names the starter)."""
    page = await client.workflow_service.get_workflow_execution_history(
        GetWorkflowExecutionHistoryRequest(
            namespace=client.namespace,
            execution={"workflow_id": workflow_id},
            maximum_page_size=1,
        )
    )
    first = page.history.events[:1]
    return bool(first) and (
        first[0].workflow_execution_started_event_attributes.identity == client.identity
    )


def case_start(intake: CaseIntake, policy: Policy, lang: Lang | None) -> CaseStart:
    """A dispute case's start: the policy in force, the judicial confirmation table (any
    mediated agreement may be confirmed) and, for a labour or wage dispute (the only ones
    that reach arbitration), the labour arbitration table in force, for any other the court
    table's court-referred mediation part (a labour dispute goes to arbitration before any
    court) — all fixed here, so an edit of a file never moves a running case's windows, and
    a case's code path follows from its start alone (no patch asked on the common path)."""
    assert intake.case_id is not None
    labour = intake.dispute_type in LABOUR_TYPES
    tables = load_tables()
    return CaseStart(
        case_id=intake.case_id, intake=intake, policy=policy, lang=lang,
        arbitration=tables["labour_arbitration"] if labour else None,
        confirmation=tables["judicial_confirmation"],
        court=None if labour else mediation_part(tables["court"]),
    )  # fmt: skip


def procedure_start(intake: CaseIntake, policy: Policy, lang: Lang) -> ProcedureStart:
    """A matter's start on its procedure's table in force, counted as the policy counts.
    ValueError (for the record's line) when no table has that name or it cannot start there."""
    assert intake.case_id is not None and intake.procedure is not None
    table = load_tables().get(intake.procedure)
    if table is None:
        names = ", ".join(sorted(load_tables()))
        raise ValueError(f"procedure: no table {intake.procedure!r} (procedures/: {names})")
    return ProcedureStart(
        case_id=intake.case_id, intake=intake, table=table, state=start_state(intake, table),
        counting=counting_for(policy), policy_name=policy.name, lang=lang,
        risk=policy.risk_of(intake.risk_flags, intake.dispute_type, intake.amount_cny),
    )  # fmt: skip


def policy_with_calendar(
    policy_text: str, policy_source: str, calendar_text: str, calendar_source: str, now: datetime
) -> Policy:
    """The policy, carrying the calendar of this year and the next (a case copies both).
    Raises PolicyError / CalendarError naming the file."""
    policy = parse_policy(policy_text, source=policy_source, now=now)
    calendar = parse_calendar(calendar_text, source=calendar_source)
    year = policy.local(now).year
    return policy.model_copy(update={"calendar": calendar.for_years([year, year + 1])})


def current_policy(now: datetime) -> Policy:
    """The checked-in policy and calendar (the API's intake uses these, as the CLI does by
    default)."""
    return policy_with_calendar(
        config.DEFAULT_POLICY.read_text(encoding="utf-8"), str(config.DEFAULT_POLICY),
        config.DEFAULT_CALENDAR.read_text(encoding="utf-8"), str(config.DEFAULT_CALENDAR), now,
    )  # fmt: skip


class Progress:
    """A one-line counter on a terminal's stderr; silent when stderr is not a terminal.

    Only stderr: the per-record JSON lines go to stdout, so the two never tangle on a
    terminal, and `intake FILE > out.jsonl` keeps the counter in sight. Redrawn at most ten
    times a second (a carriage return and the line, no scrolling)."""

    def __init__(self, stream: TextIO = sys.stderr, *, every: float = 0.1) -> None:
        self.stream, self.every = stream, every
        self.enabled = stream.isatty()
        self.counts: dict[str, int] = {"started": 0, "duplicate": 0, "rejected": 0}
        self._drawn = 0.0

    def tick(self, status: str) -> None:
        self.counts[status] += 1
        if self.enabled and time.monotonic() - self._drawn >= self.every:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        done = sum(self.counts.values())
        line = _(
            "intake: {records} record(s): {started} started, {duplicate} duplicate, "
            "{rejected} rejected"
        ).format(records=done, **self.counts)
        self.stream.write(f"\r{line}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and sum(self.counts.values()):
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


@dataclass
class Outcome:
    """What a run did: counts by status, and why it stopped early, if it did."""

    totals: dict[str, int] = field(
        default_factory=lambda: {"started": 0, "duplicate": 0, "rejected": 0}
    )
    last_line: int = 0
    #: None: every record was read and answered. Otherwise what stopped it, for the clerk.
    stopped: str | None = None
    interrupted: bool = False


#: Exit statuses (INTAKE.md): 0 nothing rejected, 1 some record rejected, 2 the file or a
#: server could not be used (the run stopped early), 130 interrupted (Ctrl-C).
EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def exit_status(outcome: Outcome) -> int:
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if outcome.stopped:
        return EXIT_UNUSABLE
    return EXIT_REJECTED if outcome.totals["rejected"] else EXIT_OK


class _Reader:
    """Reads and validates records in a thread of its own, handing them to the event loop.

    A bounded queue gives back-pressure (the reader waits when the pipeline is full), and
    each record is handed over as soon as it is parsed, so a slow pipe on stdin still sees
    its first case start at once. A daemon thread: after Ctrl-C it may sit blocked on a
    terminal's stdin, and that must not keep the process alive.
    """

    def __init__(self, records: Iterator[IntakeRecord], size: int) -> None:
        self._records = records
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=size)
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._waiting = False  # the loop sleeps on _ready: wake it (only then, it is cheap)
        self._stop = False
        self._ended = False
        threading.Thread(target=self._run, name="intake-reader", daemon=True).start()

    def _run(self) -> None:
        try:
            for record in self._records:
                if self._stop:
                    return
                self._put(("record", record))
            self._put(("end", None))
        except BaseException as err:  # handed to the loop, raised there
            self._put(("error", err))

    def _put(self, item: tuple[str, Any]) -> None:
        self._queue.put(item)
        if self._waiting:
            self._loop.call_soon_threadsafe(self._ready.set)

    async def batch(self) -> list[IntakeRecord]:
        """The records read so far (at most BATCH), waiting for one; [] at the end."""
        records: list[IntakeRecord] = []
        while not records and not self._ended:
            while len(records) < BATCH:
                try:
                    kind, value = self._queue.get_nowait()
                except queue.Empty:
                    break
                if kind == "error":
                    raise value
                if kind == "end":
                    self._ended = True
                    break
                records.append(value)
            if records or self._ended:
                break
            self._ready.clear()
            self._waiting = True
            try:
                if self._queue.empty():  # checked after _waiting is up: no wake-up is lost
                    await self._ready.wait()
            finally:
                self._waiting = False
        return records

    def close(self) -> None:
        self._stop = True
        while True:  # unblock a reader waiting on a full queue
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return


async def submit(
    records: Iterator[IntakeRecord],
    client: Client,
    pool: asyncpg.Pool,
    policy: Policy,
    *,
    emit: Callable[[dict[str, Any]], None],
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    reconnect_for: float = RECONNECT_FOR,
) -> Outcome:
    """Start every valid record's case; `emit` gets each result in input order. A server
    that stops answering is waited for up to `reconnect_for` seconds (`start_retrying`), the
    database too; only then does the run stop, answering every record it read.

    `records` is read lazily, in a thread (`_Reader`); an `IntakeFileError` it raises mid-way (a CSV
    quote left open at the end) propagates after the records before it were answered.
    """
    outcome = Outcome()
    gate = asyncio.Semaphore(max(1, concurrency))
    window: deque[tuple[IntakeRecord, asyncio.Future[dict[str, Any]]]] = deque()
    limit = max(1, concurrency) * WINDOW_FACTOR
    unstarted: set[int] = set()  # lines whose start failed: their repeats are not duplicates
    loop = asyncio.get_running_loop()
    reader = _Reader(records, size=limit)
    # This file's records answered so far, for its own look-alikes (the ledger may not hold
    # an earlier record's case yet), and every case id it holds (a later record found in the
    # ledger by an earlier one's search is not that one's look-alike: it came after).
    seen, in_file, answered = SeenInFile(), set[str](), set[str]()

    def done(line: dict[str, Any]) -> asyncio.Future[dict[str, Any]]:
        future = loop.create_future()
        future.set_result(line)
        return future

    async def start(
        record: IntakeRecord, alikes: asyncio.Future[list[list[str]]], n: int
    ) -> dict[str, Any]:
        """Start the record's case; its look-alikes are the `n`th of its batch's search."""
        assert record.intake is not None
        async with gate:
            if outcome.stopped:
                return _not_submitted(record, outcome)
            try:
                started = await start_retrying(
                    client, record.intake, policy, reconnect_for=reconnect_for
                )
            except ValueError as err:
                # A procedure with no table, or a road starting where its table cannot: the
                # record's own fault, refused with its field ("procedure", "road.start").
                field, _sep, message = str(err).partition(": ")
                return result_line(record, "rejected", [{"field": field, "message": message}])
            except RPCError as err:
                # Not the record's fault; resubmitting the file later is safe (duplicates).
                if _server_gone(err):
                    outcome.stopped = outcome.stopped or f"lost Temporal: {err}"
                    return _not_submitted(record, outcome)
                problem = [{"field": "(server)", "message": f"Temporal refused the start: {err}"}]
                return result_line(record, "rejected", problem)
        line = result_line(record, "started" if started else "duplicate")
        if started:
            line["similar"] = (await alikes)[n]
        return line

    def emit_head() -> None:
        record, future = window.popleft()
        line = future.result()
        if record.repeat_of is not None and record.repeat_of in unstarted:
            line = result_line(record, "rejected", [{"field": "(server)", "message": (
                f"the first record of this case (line {record.repeat_of}) was not started; "
                "run the file again")}])  # fmt: skip
        if line["status"] == "rejected" and record.intake is not None:
            unstarted.add(record.line)
        if line["status"] == "started" and record.intake is not None:
            later = in_file - answered
            line = {**line, "similar": _with_file(line["similar"], record.intake, seen, later)}
            seen.add(record.intake)
        if record.case_id:
            answered.add(record.case_id)
        outcome.totals[line["status"]] += 1
        outcome.last_line = record.line
        if progress:
            progress.tick(line["status"])
        emit(line)

    async def next_batch() -> list[IntakeRecord]:
        """The next records; meanwhile print results as they finish (slow input waits)."""
        fetch = asyncio.ensure_future(reader.batch())
        try:
            while not fetch.done():
                if window and window[0][1].done():
                    emit_head()
                else:
                    heads = [window[0][1]] if window else []
                    await asyncio.wait([fetch, *heads], return_when=asyncio.FIRST_COMPLETED)
            return fetch.result()
        finally:
            fetch.cancel()

    async def emit_ready(*, until: int) -> None:
        """Print finished heads; wait for the head while more than `until` are held."""
        while window and (window[0][1].done() or len(window) > until):
            await asyncio.wait([window[0][1]])
            emit_head()

    try:
        while not outcome.stopped:
            batch = await next_batch()
            if not batch:
                break
            try:
                known = await known_retrying(
                    pool, [r.case_id for r in batch if r.intake is not None and r.case_id],
                    reconnect_for,
                )  # fmt: skip
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                outcome.stopped = f"lost the database: {err}"
                known = set()
            in_file.update(r.case_id for r in batch if r.intake is not None and r.case_id)
            # The batch's look-alikes in the ledger, searched while its cases start: the
            # records below that reach `start`, each at its place in the search.
            fresh = [
                (r.line, r.intake) for r in batch
                if r.intake is not None and r.repeat_of is None and r.case_id not in known
            ]  # fmt: skip
            starting = {line: n for n, (line, _i) in enumerate(fresh)}
            intakes = [intake for _line, intake in fresh]
            alikes = asyncio.ensure_future(look_alikes(pool, intakes))
            for record in batch:
                if outcome.stopped:
                    future = done(_not_submitted(record, outcome))
                elif record.repeat_of is not None:  # the same record again in this file
                    future = done(result_line(record, "duplicate"))
                elif record.intake is None:
                    # Refused whatever its case id: a bad record is never "the same case" as
                    # one in the ledger.
                    future = done(result_line(record, "rejected"))
                elif record.case_id in known:
                    future = done(result_line(record, "duplicate"))
                else:
                    future = asyncio.ensure_future(start(record, alikes, starting[record.line]))
                window.append((record, future))
                await emit_ready(until=limit)
        await emit_ready(until=0)
    except asyncio.CancelledError:
        # Ctrl-C: answer every record already read — starts in flight finish (they are
        # quick), the ones still waiting are not sent — then tell the caller.
        outcome.interrupted = True
        outcome.stopped = outcome.stopped or "interrupted"
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()  # handled: the caller reports and exits on its own
        await asyncio.wait([f for _, f in window] or [done({})], timeout=30)
        while window and window[0][1].done():
            emit_head()
        for record, future in window:
            future.cancel()
            outcome.totals["rejected"] += 1
            emit(_not_submitted(record, outcome))
        window.clear()
    finally:
        for _, future in window:
            future.cancel()
        reader.close()
        if progress:
            progress.close()
    return outcome


async def known_retrying(pool: asyncpg.Pool, case_ids: list[str], reconnect_for: float) -> set[str]:
    """`known_case_ids`, tried again while the database is unreachable (the pool opens new
    connections), for up to `reconnect_for` seconds; then the last error is raised."""
    delay, give_up = 0.25, time.monotonic() + reconnect_for
    while True:
        try:
            return await known_case_ids(pool, case_ids)
        except (
            OSError,
            asyncpg.InterfaceError,
            asyncpg.PostgresConnectionError,
            asyncpg.AdminShutdownError,
        ) as err:
            if time.monotonic() >= give_up:
                raise
            log.warning("ledger check retried", error=type(err).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def _server_gone(err: RPCError) -> bool:
    # Only "unavailable" (after `start_retrying`'s own tries): a deadline still exceeded on one
    # start is that record's `(server)` rejection, and the run goes on.
    return err.status == RPCStatusCode.UNAVAILABLE


def _not_submitted(record: IntakeRecord, outcome: Outcome) -> dict[str, Any]:
    if record.intake is None and record.repeat_of is None:
        return result_line(record, "rejected")  # its own errors say more
    field_name = "(interrupted)" if outcome.interrupted else "(server)"
    why = "intake was interrupted" if outcome.interrupted else outcome.stopped
    return result_line(record, "rejected", [{"field": field_name, "message": (
        f"not submitted: {why}; run the file again (cases started already come back as "
        "duplicate)")}])  # fmt: skip
