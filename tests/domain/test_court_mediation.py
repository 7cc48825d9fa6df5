"""The court table's court-referred mediation part, as a dispute case carries it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.catalogue import COURT_EXTENSION_PROBE
from domain.court_mediation import TRACK_STATES, WINDOWS, extend_act, mediation_part
from domain.mediation_policy import Track
from domain.procedure import Counting, act, check, expire, start
from domain.procedure_table import ProcedureTable
from runtime.procedures import load_tables

COURT = load_tables()["court"]
PART = mediation_part(COURT)
AT = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def test_the_part_is_a_valid_table_with_the_courts_own_mediation_windows():
    assert ProcedureTable.model_validate(PART.model_dump()) == PART
    assert PART.windows == {w: COURT.windows[w] for w in WINDOWS.values()}
    # What a case carries in its start: a fraction of the whole table.
    assert len(PART.model_dump_json()) < len(COURT.model_dump_json()) / 3


@pytest.mark.parametrize(
    ("track", "window", "days", "after"),
    [
        (Track.judicial_pre_filing, "pre_filing", 30, "filed"),
        (Track.judicial_post_filing, "entrusted", 15, "entrusted_mediation"),
        (Track.judicial_simplified, "entrusted_simplified", 7, "entrusted_mediation_simplified"),
    ],
)
def test_a_judicial_tracks_window_and_what_its_end_does(track, window, days, after):
    run = start(PART, AT, Counting(), TRACK_STATES[track])
    [opened] = run.windows
    assert (opened.name, opened.length) == (window, f"{days}d")
    ended = expire(PART, run, opened.due_at, Counting()).run
    assert ended.state == after  # before filing: to docketing; after: flagged, stays
    assert ended.flags == ([] if after == "filed" else [f"overdue:{window}"])


@pytest.mark.parametrize(
    ("state", "consent", "refused"),
    [
        ("pre_filing_mediation", True, None),
        ("pre_filing_mediation", False, "needs consent"),
        ("entrusted_mediation", True, "cannot be extended"),
    ],
)
def test_only_pre_filing_mediation_is_extended_and_only_with_consent(state, consent, refused):
    run = start(PART, AT, Counting(), state)
    why = check(PART, run, extend_act(state, AT, consent), Counting())
    assert (why is None) if refused is None else (refused in why)
    if refused is None:
        longer = act(PART, run, extend_act(state, AT, consent), Counting()).run
        assert longer.windows[0].length == "60d"
        assert check(PART, longer, extend_act(state, AT, consent), Counting()) is not None


def test_the_catalogues_extension_probe_is_the_court_tables_one_extension():
    extension = COURT.window("pre_filing").extension
    assert extension is not None and extension.by == COURT_EXTENSION_PROBE
