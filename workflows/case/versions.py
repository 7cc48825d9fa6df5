"""Every `workflow.patched` id in the project, and the release that may retire it.

A change to what a running workflow does (the commands it emits, or the path it takes) is
guarded with `workflow.patched(<id>)`: a case started before the change replays its old path,
one started after takes the new. Each id is declared here, once, with why it exists; the code
uses the constant (tests/workflows/test_versions.py fails on an id used but not listed here,
or listed but no longer used).

Retiring a patch takes two releases: in the release named `retire_in`, when no case started
before `added` can still be running, replace `workflow.patched(id)` with
`workflow.deprecate_patch(id)` and delete the old path; one release later drop that call and
the entry. Saved histories (tests/histories) from before `added` must then be retired with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    id: str
    #: The release that introduced the guarded change.
    added: str
    #: The first release that may make it `deprecate_patch` (no older case still runs).
    retire_in: str
    why: str


#: Issue 20: a case under county supervision (督办) whose last mediation track's time limit
#: passes stays supervised and says so (`mediation_exhausted`), instead of closing as
#: `referred`. Old path: v0.2.0 referred it. Checked only on that path (`Tracks`).
SUPERVISED_LAPSE_STAYS_OPEN = "supervised-lapse-stays-open"

#: Issue 22: campaign windows (专项行动, the policy's `[[campaigns]]`): a case a window covers
#: is graded at least its floor, due no later than its next milestone and supervised when a
#: milestone passes with it open. Checked only when the case's policy has campaigns, which no
#: case started before 0.3.0 carries; the guard keeps any such history on its old path.
CAMPAIGN_WINDOWS = "campaign-windows"

#: Issue 21: labour arbitration runs on the procedure engine — the case's track holds a run of
#: its `labour_arbitration` table (CaseStart.arbitration), whose windows, extension and expiry
#: routes replace the policy's `arbitration_*` clocks. Asked when a party applies, only for a
#: case started with the table; a case that applied before keeps the old clocks to its end.
ARBITRATION_ON_ENGINE = "arbitration-on-engine"

#: Court-referred mediation's end (settled or failed) stops watching its window: the track's
#: `due_at` is cleared, so a case reopened by a return visit after a court-referred agreement
#: does not wake at the ended window's due time to flag it (`track_overdue` with no article).
#: Asked only when a court run (CaseStart.court) ends; a case that ended one before keeps the
#: old due time and its old wake-up.
COURT_MEDIATION_END_CLEARS_WINDOW = "court-mediation-end-clears-its-window"

PATCHES: tuple[Patch, ...] = (
    Patch(
        SUPERVISED_LAPSE_STAYS_OPEN,
        added="0.3.0",
        # The old path ends the case in the same step (its ledger write, then the run
        # completes), so no running case can be half-way along it: what still needs the old
        # branch is replaying a finished history (queries on a closed case, a reset).
        retire_in="0.4.0",
        why="a supervised case is never closed by a track's lapse (issue 20)",
    ),
    Patch(
        CAMPAIGN_WINDOWS,
        added="0.3.0",
        retire_in="0.4.0",
        why="campaign windows: risk floor, deadline cap and milestone supervision (issue 22)",
    ),
    Patch(
        ARBITRATION_ON_ENGINE,
        added="0.3.0",
        # A case that applied for arbitration before 0.3.0 may wait months for its award
        # and the window to sue: retire once none can still be running.
        retire_in="0.5.0",
        why="labour arbitration's windows from its procedure table, on the engine (issue 21)",
    ),
    Patch(
        COURT_MEDIATION_END_CLEARS_WINDOW,
        added="0.3.0",
        # A case resolved on a court-referred track waits for its return visits (up to a
        # month or more) and may be reopened: retire once none can still be running.
        retire_in="0.4.0",
        why="court-referred mediation's ended window is no longer watched (reopened cases)",
    ),
)

#: Ids once used and already retired: never reuse one (an old history may carry its marker).
RETIRED: frozenset[str] = frozenset(
    {
        # Guarded the tri-linked mediation, the policy's whistle and judicial confirmation in
        # 0.1; removed before v0.2.0, when the saved histories were re-recorded.
        "mediation-tracks",
        "auto-whistle",
        "judicial-confirmation",
    }
)
