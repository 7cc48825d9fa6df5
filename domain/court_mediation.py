"""Court-referred mediation (委派 / 委托调解) of a dispute case, read from the court's table.

A case on a judicial track (`judicial_pre_filing`, `judicial_post_filing`,
`judicial_simplified`) runs the court table's mediation windows (procedures/court.toml:
`pre_filing` 30 days with one extension of the parties' consent, `entrusted` 15 days,
`entrusted_simplified` 7 days, 特邀调解规定 Arts. 21, 27) on the procedure engine. The case
carries only that part of the table in its start (`mediation_part`): the three mediation
states, their windows and actions, and the states they lead to with nothing opened there (the
docket and the trial are the court's matter, not the case's). Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime

from domain.mediation_policy import Track
from domain.procedure import Act
from domain.procedure_table import ProcedureTable

#: A judicial track's state in the court table.
TRACK_STATES = {
    Track.judicial_pre_filing: "pre_filing_mediation",
    Track.judicial_post_filing: "entrusted_mediation",
    Track.judicial_simplified: "entrusted_mediation_simplified",
}
#: The table's actions that end a track's mediation: settled, or failed.
SETTLED = "mediation_settled"
FAILED = {
    "pre_filing_mediation": "mediation_failed",
    "entrusted_mediation": "entrusted_failed",
    "entrusted_mediation_simplified": "entrusted_simplified_failed",
}
#: The one window each mediation state opens.
WINDOWS = {
    "pre_filing_mediation": "pre_filing",
    "entrusted_mediation": "entrusted",
    "entrusted_mediation_simplified": "entrusted_simplified",
}


def mediation_part(court: ProcedureTable) -> ProcedureTable:
    """The court table cut to court-referred mediation: what a case reads of it (about a
    fifth of the table, so every case's start stays small)."""
    actions = {name: court.actions[name] for name in (SETTLED, *FAILED.values())}
    targets = {court.windows[w].expiry.to for w in WINDOWS.values()} - {None}
    targets |= {a.to for a in actions.values()} - {None}
    states = {s: court.states[s] for s in TRACK_STATES.values()}
    states |= {s: court.states[s].model_copy(update={"opens": []}) for s in targets}
    return court.model_copy(
        update={
            "starts_in": list(TRACK_STATES.values()),
            "states": states,
            "windows": {w: court.windows[w] for w in WINDOWS.values()},
            "actions": actions,
            "pauses": {},
        }
    )


def extend_act(state: str, at: datetime, consent: bool) -> Act:
    """More time on a court-referred track: the table's extension of its state's window,
    with the parties' consent as the fact it needs."""
    return Act(action="extend", at=at, window=WINDOWS[state], facts={"consent": consent})
