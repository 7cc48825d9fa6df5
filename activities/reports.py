"""Report activities: compute an assessment from the ledger, write its files, record it.

Three steps, each safe to retry: computing only reads; files are replaced atomically; the
`assessments` row is an upsert on (kind, period, scope level, scope unit). Recording comes
last so that a row always names files that exist.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import asyncpg
import structlog
from temporalio import activity

from activities.report_files import write_assessment_files
from domain.assessment_models import (
    AssessmentFigures,
    ComputeRequest,
    DeadNotification,
    RecordRequest,
)
from domain.campaign_list import CampaignCase
from domain.metrics import DueCase
from domain.periods import AssessmentKind, resolve_period
from domain.policy import ResponseWindow
from ledger import assessments
from ledger.campaigns import open_in_campaigns
from ledger.notifications import dead_notifications
from ledger.recurring import recurring_pairs
from ledger.report_duties import period_figures
from ledger.reports import assess
from runtime.config import response_windows
from texts import Lang, process_lang

#: A list of cases the report shows with their facts: the clearance list or a campaign's.
Listed = TypeVar("Listed", DueCase, CampaignCase)

log = structlog.get_logger(__name__)


class ReportActivities:
    """Reads the ledger, writes `assessments` and the report files under `reports_dir`."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        reports_dir: Path,
        windows: ResponseWindow | None = None,
        lang: Lang | None = None,
    ) -> None:
        self._pool = pool
        self._reports_dir = reports_dir
        #: 响应率's windows; policy.toml's when not given.
        self._windows = windows or response_windows()
        #: The files' language; the worker process's (`DISPUTE_LANG`) when not given.
        self._lang = lang

    @activity.defn(name="reports.compute")
    async def compute(self, request: ComputeRequest) -> AssessmentFigures:
        """The figures of every township and the county for the period, and the clearance
        list as of `as_of` (the daily one also lists cases due within 24 hours)."""
        period = resolve_period(request.kind, request.period, request.as_of)
        metrics, due = await assess(
            self._pool,
            period,
            request.as_of,
            soon=request.kind is AssessmentKind.daily,
            windows=self._windows,
        )
        due = await self._with_case_facts(due)
        daily = request.kind is AssessmentKind.daily
        dead = (
            [DeadNotification(**row) for row in await dead_notifications(self._pool)]
            if daily
            else []
        )
        log.info(
            "assessment computed",
            kind=request.kind.value,
            period=period.label,
            units=len(metrics),
            due=len(due),
            dead_notifications=len(dead),
        )
        # The daily report is read in the morning: it shows yesterday's report duties (日清),
        # whose cut-offs have passed; a week or a month shows its own days.
        back = timedelta(days=1) if daily else timedelta(0)
        duties = await period_figures(
            self._pool, period.start - back, period.end - back, request.as_of
        )
        # 专项行动: each campaign's open cases, listed every day until they are cleared.
        campaigns = (
            await self._with_case_facts(await open_in_campaigns(self._pool, request.as_of))
            if daily
            else []
        )
        monthly = request.kind is AssessmentKind.monthly
        recurring = await recurring_pairs(self._pool, period.start, period.end) if monthly else []
        return AssessmentFigures(
            kind=request.kind, period=period, as_of=request.as_of, metrics=metrics, due=due,
            dead_notifications=dead, duties=duties, recurring=recurring, campaigns=campaigns,
        )  # fmt: skip

    async def _with_case_facts(self, due: list[Listed]) -> list[Listed]:
        """A case list (the clearance list, a campaign's) with each case's title, risk colour
        and handler's name."""
        if not due:
            return due
        facts = await assessments.case_facts(self._pool, [d.case_id for d in due])
        return [
            d.model_copy(
                update={k: v for k, v in facts.get(d.case_id, {}).items() if k != "case_id"}
            )
            for d in due
        ]

    @activity.defn(name="reports.write_files")
    async def write_files(self, figures: AssessmentFigures) -> list[str]:
        """CSV, charts, summary and report.html under `<reports dir>/<kind>/<period>/`, in the
        worker's language; relative paths."""
        # Drawing charts and writing files block: keep them off the worker's event loop.
        lang = self._lang or process_lang()
        files = await asyncio.to_thread(write_assessment_files, figures, self._reports_dir, lang)
        log.info(
            "assessment files written",
            kind=figures.kind.value,
            period=figures.period.label,
            folder=str(self._reports_dir / figures.kind.value / figures.period.label),
            files=len(files),
            lang=lang.value,
        )
        return files

    @activity.defn(name="reports.record")
    async def record(self, request: RecordRequest) -> int:
        """Upsert one `assessments` row per unit; returns how many rows were written."""
        figures = request.figures
        rows = []
        for m in figures.metrics:
            level = m.scope_level.value
            due = [d for d in figures.due if getattr(d, level) == m.scope_unit]
            rows.append(
                (
                    figures.kind.value,
                    figures.period.label,
                    figures.period.start,
                    figures.period.end,
                    level,
                    m.scope_unit,
                    figures.as_of,
                    m.model_dump(mode="json"),
                    [d.model_dump(mode="json") for d in due],
                    request.files,
                )
            )
        await assessments.record(self._pool, rows)
        log.info(
            "assessment recorded",
            kind=figures.kind.value,
            period=figures.period.label,
            rows=len(rows),
        )
        return len(rows)
