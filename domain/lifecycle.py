"""The case's lifecycle: its statuses and every move between them, in one table.

As `domain.whistle.next_state` is for a department's duty, `next_status` is for the case:
every part of CaseWorkflow that changes what a case is asks it (through `move`), and nothing
else assigns a case's status. A move the table does not hold raises: a step that would take
a case where it cannot go fails loudly instead of leaving a wrong status in the ledger.

A case is never closed silently: once the county supervises it (督办), only a person's act
(an outcome, a withdrawal, a refusal, a track failed on the record) ends it. The last
mediation track's time limit passing is not such an act: under supervision it keeps the case
supervised (`Move.last_track_lapsed`).

Pure: no Temporal, no I/O, no clock (the workflow passes in the time).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol


class CaseStatus(StrEnum):
    open = "open"
    #: The clock is stopped (waiting on a party, an appraisal, a hearing).
    paused = "paused"
    #: At the county with its deadline gone: under supervision (督办), never closed silently.
    supervised = "supervised"
    #: Settled; return visits may still be running.
    resolved = "resolved"
    #: Finished: settled and followed up.
    closed = "closed"
    withdrawn = "withdrawn"
    #: Mediation refused or failed at the top; the parties were told their other routes.
    referred = "referred"
    #: The same dispute as another case, merged into it (domain/related.py): counted once,
    #: as the case it was merged into.
    merged = "merged"


FINISHED = frozenset(
    {CaseStatus.closed, CaseStatus.withdrawn, CaseStatus.referred, CaseStatus.merged}
)
ON_THE_LADDER = frozenset({CaseStatus.open, CaseStatus.paused, CaseStatus.supervised})


class Move(StrEnum):
    """What happens to a case, as far as its status is concerned."""

    #: A level takes the case (opening, climbing, a pull-up, a transfer taken over, a
    #: refusal sent to the township, a re-grade, reopening): a handler and a fresh clock.
    arrive = "arrive"
    pause = "pause"
    resume = "resume"
    #: The county's deadline passed, or the county could not resolve it: 督办.
    supervise = "supervise"
    #: An outcome (or an arbitration award) settled it; follow-up may run.
    resolve = "resolve"
    #: Follow-up done (visits, judicial confirmation, the window to sue an award).
    close = "close"
    #: The applicant withdrew.
    withdraw = "withdraw"
    #: A party refused mediation above the village, or a handler recorded that the last
    #: track failed: the parties are told their other routes (Art. 26).
    refer = "refer"
    #: The last track's time limit passed with nobody acting.
    last_track_lapsed = "last_track_lapsed"
    #: Its handler found it the same dispute as another case: merged into that one.
    merge = "merge"


S, M = CaseStatus, Move
#: Every legal move. Self-moves are real steps that leave the status as it was: arriving at
#: a level while open, failing again under supervision, a lapse under supervision.
TRANSITIONS: dict[tuple[CaseStatus, Move], CaseStatus] = {
    **{(s, M.arrive): S.open for s in (*ON_THE_LADDER, S.resolved)},
    (S.open, M.pause): S.paused,
    (S.paused, M.resume): S.open,
    # The county fails it while the clock is stopped, too; under supervision, again.
    **{(s, M.supervise): S.supervised for s in ON_THE_LADDER},
    **{(s, M.resolve): S.resolved for s in ON_THE_LADDER},
    (S.resolved, M.close): S.closed,
    **{(s, M.withdraw): S.withdrawn for s in ON_THE_LADDER},
    **{(s, M.refer): S.referred for s in ON_THE_LADDER},
    **{(s, M.merge): S.merged for s in ON_THE_LADDER},
    # A paused case's track does not run, so it cannot lapse. Under supervision a lapse is
    # recorded and the case stays open: never closed silently (issue 20).
    (S.open, M.last_track_lapsed): S.referred,
    (S.supervised, M.last_track_lapsed): S.supervised,
}
del S, M


def next_status(status: CaseStatus, move: Move) -> CaseStatus:
    """The case's status after `move`; ValueError naming the move if it is not allowed."""
    try:
        return TRANSITIONS[(status, move)]
    except KeyError:
        allowed = sorted(m.value for (s, m) in TRANSITIONS if s is status)
        raise ValueError(
            f"illegal case transition: {move.value} from {status.value} "
            f"(allowed: {', '.join(allowed) or 'none, the case is finished'})"
        ) from None


class HasStatus(Protocol):
    status: CaseStatus
    closed_at: datetime | None


def move(case: HasStatus, how: Move, now: datetime) -> CaseStatus:
    """Apply `how` to `case` (its file): the one place a case's status is assigned. A move
    that finishes the case also stamps when. Returns the new status."""
    case.status = next_status(case.status, how)
    if case.status in FINISHED:
        case.closed_at = now
    return case.status
