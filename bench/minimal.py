"""The baseline for bench/throughput.py: the least a case's path could cost in Temporal.

`MinimalCase` waits the same timers a case left alone to the county waits (yellow, red,
deadline at each of four levels) and makes one write activity per step (a row per step in
`bench_steps`), with no search attributes, no queries, no rules.
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


class Done(BaseModel):
    steps: int


CREATE = """
CREATE TABLE IF NOT EXISTS bench_steps (
    case_id text NOT NULL, seq integer NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (case_id, seq))
"""


class MinimalWrites:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="bench.write_step")
    async def write_step(self, row: StepRow) -> Done:
        await self._pool.execute(
            "INSERT INTO bench_steps (case_id, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            row.case_id,
            row.seq,
        )
        return Done(steps=row.seq)


@workflow.defn
class MinimalCase:
    @workflow.run
    async def run(self, start: MinimalStart) -> Done:
        seq = 1
        await self._write(start.case_id, seq)
        for _ in range(start.levels):
            # Wake-ups at fixed points of the level, as a case's warnings and deadline: a slow
            # write does not push the next wake-up back.
            level_start = workflow.now()
            for fraction in start.fractions:
                wake = level_start + timedelta(seconds=start.level_seconds * fraction)
                await workflow.sleep(max((wake - workflow.now()).total_seconds(), 0.001))
                seq += 1
                await self._write(start.case_id, seq)
        return Done(steps=seq)

    async def _write(self, case_id: str, seq: int) -> None:
        await workflow.execute_activity_method(
            MinimalWrites.write_step,
            StepRow(case_id=case_id, seq=seq),
            start_to_close_timeout=timedelta(seconds=30),
        )
