"""The baseline for bench/throughput.py: the least a case's path could cost in Temporal.

`MinimalCase` keeps a case's clock left alone to the county — yellow and red warnings and
the deadline at each of four levels — with a case's semantics, and makes one write activity
per step (a row per step in `bench_steps`), with no search attributes, no queries, no rules:

- a level's clock starts when the step that reached it runs (the deadline's wake-up), before
  that step's write returns, as `Ladder.arrive` starts it at `workflow.now()`;
- woken late, it acts on the earliest passed warning first, one step each, unless the
  deadline has passed too: then the deadline's step comes and the warnings it overtook are
  skipped, as `Ladder.on_clock` does.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    # Passed through as the case workflow's imports are: the sandbox would otherwise import
    # them anew for every run (and a C extension must not be imported twice).
    import asyncpg
    from pydantic import BaseModel


class MinimalStart(BaseModel):
    case_id: str
    #: Seconds per level; the warnings fall at `fractions` of it.
    level_seconds: float
    levels: int = 4
    fractions: tuple[float, ...] = (0.5, 0.8, 1.0)


class StepRow(BaseModel):
    case_id: str
    seq: int
    #: The workflow's last write: the county's deadline passed.
    last: bool = False


class Done(BaseModel):
    steps: int


CREATE = """
CREATE TABLE IF NOT EXISTS bench_steps (
    case_id text NOT NULL, seq integer NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last boolean NOT NULL DEFAULT false,
    PRIMARY KEY (case_id, seq))
"""


class MinimalWrites:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="bench.write_step")
    async def write_step(self, row: StepRow) -> Done:
        await self._pool.execute(
            "INSERT INTO bench_steps (case_id, seq, last) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            row.case_id,
            row.seq,
            row.last,
        )
        return Done(steps=row.seq)


@workflow.defn
class MinimalCase:
    @workflow.run
    async def run(self, start: MinimalStart) -> Done:
        seq = 1
        length = timedelta(seconds=start.level_seconds)
        warnings, deadline = start.fractions[:-1], start.fractions[-1]
        level_start = workflow.now()  # the opening step's clock, before its write
        await self._write(start.case_id, seq)
        for level in range(start.levels):
            due = level_start + length * deadline
            warned: set[float] = set()
            while True:
                pending = [f for f in warnings if f not in warned]
                wake = min([level_start + length * f for f in pending] + [due])
                if wake > workflow.now():
                    await workflow.sleep(wake - workflow.now())
                now = workflow.now()
                seq += 1
                if now >= due:  # the deadline: the warnings it overtook are skipped
                    level_start = now  # the next level's clock starts at this step
                    await self._write(start.case_id, seq, last=level == start.levels - 1)
                    break
                warned.add(next(f for f in pending if level_start + length * f <= now))
                await self._write(start.case_id, seq)
        return Done(steps=seq)

    async def _write(self, case_id: str, seq: int, *, last: bool = False) -> None:
        await workflow.execute_activity_method(
            MinimalWrites.write_step,
            StepRow(case_id=case_id, seq=seq, last=last),
            start_to_close_timeout=timedelta(seconds=30),
        )
