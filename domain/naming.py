"""Names defined once: the task queue, the workflow-id rule and the search attribute names."""

from __future__ import annotations

TASK_QUEUE = "dispute-cases"
WORKFLOW_ID_PREFIX = "case-"


def workflow_id_for(case_id: str) -> str:
    """The workflow id of a case. One case id is one workflow, forever."""
    return f"{WORKFLOW_ID_PREFIX}{case_id}"


def case_id_from(workflow_id: str) -> str | None:
    if workflow_id.startswith(WORKFLOW_ID_PREFIX):
        return workflow_id[len(WORKFLOW_ID_PREFIX) :]
    return None
