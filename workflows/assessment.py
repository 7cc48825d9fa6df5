"""AssessmentWorkflow: one run of the assessment cycle, "日清周评月考核".

Started by the Temporal Schedules of `service.schedules` (daily clearance list, weekly review,
monthly assessment), or by hand for a named period. It computes the figures of every township
and the county from the ledger, writes the report files, then records the figures in the
`assessments` table. Every step is idempotent, so running a period again replaces its figures
and files.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.reports import ReportActivities
    from domain.assessment_models import (
        AssessmentInput,
        AssessmentResult,
        ComputeRequest,
        RecordRequest,
    )
    from domain.periods import resolve_period

# Bounded, unlike the ledger's retries: a run stuck retrying would make the schedule skip
# every later run (overlap policy SKIP). A failed run loses nothing; the next one, or a run
# by hand for the same period, computes it again from the ledger.
REPORT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=10,
)
REPORT_TIMEOUT = timedelta(minutes=5)


@workflow.defn
class AssessmentWorkflow:
    @workflow.run
    async def run(self, request: AssessmentInput) -> AssessmentResult:
        as_of = workflow.now()
        # Resolved here, not in the activity: a retry hours later must cover the same period.
        try:
            period = resolve_period(request.kind, request.period, as_of)
        except ValueError as err:
            # A bad period label fails the run at once instead of retrying the workflow task.
            raise ApplicationError(str(err), type="BadPeriod", non_retryable=True) from None
        figures = await workflow.execute_activity_method(
            ReportActivities.compute,
            ComputeRequest(kind=request.kind, period=period.label, as_of=as_of),
            start_to_close_timeout=REPORT_TIMEOUT,
            retry_policy=REPORT_RETRY,
            summary=f"compute {request.kind.value} {period.label}",
        )
        files = await workflow.execute_activity_method(
            ReportActivities.write_files,
            figures,
            start_to_close_timeout=REPORT_TIMEOUT,
            retry_policy=REPORT_RETRY,
            summary="write files",
        )
        await workflow.execute_activity_method(
            ReportActivities.record,
            RecordRequest(figures=figures, files=files),
            start_to_close_timeout=REPORT_TIMEOUT,
            retry_policy=REPORT_RETRY,
            summary="record in assessments",
        )
        workflow.logger.info(
            "assessment done",
            extra={"kind": request.kind.value, "period": period.label, "files": len(files)},
        )
        return AssessmentResult(
            kind=request.kind,
            period=period.label,
            files=files,
            townships=len(figures.townships),
        )
