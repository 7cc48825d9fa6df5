"""Names defined once: the task queue, the workflow-id rule and the search attribute names."""

from __future__ import annotations

TASK_QUEUE = "dispute-cases"
#: The workflow types a starter starts by name (`service/intake.py` starts them without
#: importing the workflows' code: intake's start-up is part of its rate) and a visibility
#: query names; `@workflow.defn(name=...)` registers each under its own.
CASE_WORKFLOW = "CaseWorkflow"
PROCEDURE_WORKFLOW = "ProcedureWorkflow"
WORKFLOW_ID_PREFIX = "case-"


def workflow_id_for(case_id: str) -> str:
    """The workflow id of a case. One case id is one workflow, forever."""
    return f"{WORKFLOW_ID_PREFIX}{case_id}"


def case_id_from(workflow_id: str) -> str | None:
    if workflow_id.startswith(WORKFLOW_ID_PREFIX):
        return workflow_id[len(WORKFLOW_ID_PREFIX) :]
    return None


#: Schedules and workflows of the assessment cycle (日清周评月考核): one schedule per kind.
#: A scheduled run's workflow id is this plus the time Temporal appends to it.
ASSESSMENT_PREFIX = "assessment-"


def assessment_schedule_id(kind: str) -> str:
    """`assessment-daily`, `assessment-weekly`, `assessment-monthly`."""
    return f"{ASSESSMENT_PREFIX}{kind}"


def assessment_workflow_id(kind: str, period: str | None = None) -> str:
    """The workflow id a schedule starts (`assessment-<kind>`); a run for a named period, started
    by hand, gets that period appended so running it again is refused as a duplicate."""
    base = f"{ASSESSMENT_PREFIX}{kind}"
    return f"{base}-{period}" if period else base


def duty_workflow_id(case_workflow_id: str, whistle_seq: int, department: str) -> str:
    """A summoned department's duty: a child of the case, one per whistle and department."""
    return f"{case_workflow_id}-whistle-{whistle_seq}-{department}"


#: The reconciler's schedule and the workflow each pass starts (workflows/reconcile.py).
RECONCILE_SCHEDULE_ID = "reconcile-halted-cases"
RECONCILE_WORKFLOW_ID = "reconcile-halted-cases"
