"""The case's lifecycle table: every legal move, every illegal one, and what finishes a case."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from domain.lifecycle import (
    FINISHED,
    ON_THE_LADDER,
    TRANSITIONS,
    CaseStatus,
    Move,
    move,
    next_status,
)

S, M = CaseStatus, Move

LEGAL = [
    (S.open, M.arrive, S.open),
    (S.paused, M.arrive, S.open),  # moving on ends a pause
    (S.supervised, M.arrive, S.open),  # a transfer taken over, a pull-up
    (S.resolved, M.arrive, S.open),  # reopened after a bad return visit
    (S.open, M.pause, S.paused),
    (S.paused, M.resume, S.open),
    (S.open, M.supervise, S.supervised),
    (S.paused, M.supervise, S.supervised),
    (S.supervised, M.supervise, S.supervised),
    (S.open, M.resolve, S.resolved),
    (S.paused, M.resolve, S.resolved),
    (S.supervised, M.resolve, S.resolved),
    (S.resolved, M.close, S.closed),
    (S.open, M.withdraw, S.withdrawn),
    (S.paused, M.withdraw, S.withdrawn),
    (S.supervised, M.withdraw, S.withdrawn),
    (S.open, M.refer, S.referred),
    (S.paused, M.refer, S.referred),
    (S.supervised, M.refer, S.referred),
    (S.open, M.merge, S.merged),
    (S.paused, M.merge, S.merged),
    (S.supervised, M.merge, S.merged),
    (S.open, M.last_track_lapsed, S.referred),
    (S.supervised, M.last_track_lapsed, S.supervised),  # never closed silently
]


@pytest.mark.parametrize(("status", "how", "after"), LEGAL)
def test_legal_moves(status: CaseStatus, how: Move, after: CaseStatus):
    assert next_status(status, how) is after


def test_the_table_is_exactly_the_legal_moves():
    assert {(s, m): a for s, m, a in LEGAL} == TRANSITIONS


ILLEGAL = [(s, m) for s in CaseStatus for m in Move if (s, m) not in {(s, m) for s, m, _ in LEGAL}]


@pytest.mark.parametrize(("status", "how"), ILLEGAL)
def test_illegal_moves_name_the_transition(status: CaseStatus, how: Move):
    with pytest.raises(ValueError) as info:
        next_status(status, how)

    assert f"illegal case transition: {how.value} from {status.value}" in str(info.value)


@pytest.mark.parametrize(
    ("status", "how", "hint"),
    [
        (S.closed, M.arrive, "none, the case is finished"),
        (S.referred, M.resolve, "none, the case is finished"),
        (S.withdrawn, M.withdraw, "none, the case is finished"),
        (S.resolved, M.pause, "allowed: arrive, close"),
        (S.paused, M.pause, "allowed: arrive, merge, refer, resolve, resume, supervise, withdraw"),
        (S.paused, M.last_track_lapsed, "allowed: arrive, merge, refer"),
    ],
)
def test_illegal_moves_say_what_is_allowed(status: CaseStatus, how: Move, hint: str):
    with pytest.raises(ValueError, match=hint):
        next_status(status, how)


def test_a_supervised_case_is_never_referred_by_a_lapse():
    """Issue 20: once the county supervises, only a person's act ends the case."""
    finishing = {m for (s, m), a in TRANSITIONS.items() if s is S.supervised and a in FINISHED}
    # A merge is a person's act too (its handler's). A resolution still has its follow-up.
    assert finishing == {M.withdraw, M.refer, M.merge}
    assert next_status(S.supervised, M.last_track_lapsed) is S.supervised


def test_finished_statuses_have_no_way_out():
    assert not [key for key in TRANSITIONS if key[0] in FINISHED]


def test_every_status_but_open_is_reached_by_some_move():
    """`open` is where a case starts; every other status is some move's result."""
    assert set(TRANSITIONS.values()) == set(CaseStatus)
    assert {s for s, _ in TRANSITIONS} == ON_THE_LADDER | {S.resolved}


class _File(BaseModel):
    status: CaseStatus = S.open
    closed_at: datetime | None = None


NOW = datetime(2026, 12, 31, 9, tzinfo=UTC)


@pytest.mark.parametrize(("status", "how", "after"), LEGAL)
def test_move_sets_the_status_and_stamps_a_finish(status: CaseStatus, how: Move, after: CaseStatus):
    case = _File(status=status)

    assert move(case, how, NOW) is after

    assert case.status is after
    assert case.closed_at == (NOW if after in FINISHED else None)


def test_an_illegal_move_leaves_the_case_as_it_was():
    case = _File(status=S.closed, closed_at=NOW)

    with pytest.raises(ValueError):
        move(case, M.pause, datetime(2027, 1, 1, tzinfo=UTC))

    assert (case.status, case.closed_at) == (S.closed, NOW)


def test_no_module_but_the_lifecycle_assigns_a_case_status():
    """Issue 18: every part asks the lifecycle; an assignment elsewhere would bypass the table."""
    root = Path(__file__).resolve().parents[2]
    # `x.status = ...` or `x.a, x.status, ... = ...` at the start of a line.
    assignment = re.compile(
        r"^[ \t]*(?:[\w.]+\s*,\s*)*[\w.]*\.status\s*(?:,[^=\n]*)?=[^=]", re.MULTILINE
    )
    found = [
        str(path.relative_to(root))
        for folder in ("workflows", "domain", "activities")
        for path in (root / folder).rglob("*.py")
        if assignment.search(path.read_text(encoding="utf-8"))
    ]

    assert found == ["domain/lifecycle.py"]


def test_the_documented_moves_are_the_table():
    """docs/lifecycle.md's table of moves says what TRANSITIONS holds, no more, no less."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md").read_text("utf-8")
    moves = doc.split("## Moves", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for line in moves.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        how, froms, to = Move(cells[0].strip("`")), cells[1], CaseStatus(cells[2].strip("`"))
        for status in froms.split(","):
            documented[(CaseStatus(status.strip().strip("`")), how)] = to

    assert documented == TRANSITIONS
