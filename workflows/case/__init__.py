"""The case workflow and the parts it composes: one module per concern.

workflow.py      CaseWorkflow: the story (`run`), the actions people take (each a
                 catalogue action, workflows/queued_actions.py), the queries
context.py       CaseContext: the file, the start, the case's words, its recorder and directory
recorder.py      the step's events, who they tell, and its one ledger write (flush)
directory.py     who holds which role: handler, supervisor above, county, police, parties
alarm.py         the one timer, re-armed only when the next wake-up moves
intents.py       what a part's step asks next (ArriveAt), for the workflow to act on
versions.py      every workflow.patched id, with the release that may retire it
publish.py       search attributes (on change), the Web UI's details, the view
ladder.py        a level's handler and clock: warnings, deadline, climbing, pause, extension
transfer.py      transfer of jurisdiction (首接负责制)
turns.py         re-grading, withdrawal, refusal
followup.py      resolution, return visits (回访), reopening, closing
tracks.py        tri-linked mediation (三调联动) and labour arbitration
confirmation.py  judicial confirmation (司法确认)
whistles.py      whistle and report (吹哨报到)
"""

from workflows.case.workflow import CaseWorkflow

__all__ = ["CaseWorkflow"]
