"""The human text: which case, what happened, what to do by when, in local time."""

from __future__ import annotations

import pytest

from notify import texts

DUE = "2026-11-25T06:00:00+00:00"


@pytest.mark.parametrize(
    ("kind", "data", "line"),
    [
        ("warning", {"due_at": DUE}, "Settle it or report the outcome by 2026-11-25 14:00 (UTC+8)"),
        ("assigned", {"due_at": DUE}, "You handle this case: settle it or report"),
        ("deadline_passed", {"due_at": DUE}, "It was due 2026-11-25 14:00 (UTC+8); the case"),
        ("supervised", {}, "The county supervises this case (督办): report progress now."),
        ("whistle_blown", {"check_in_by": DUE, "report_by": "2026-11-27T06:00:00+00:00"},
         "Check in by 2026-11-25 14:00 (UTC+8) and report by 2026-11-27 14:00 (UTC+8)."),
        ("warning", {}, texts.NO_ACTION),  # no due time: no made-up one
        ("whistle_blown", {"check_in_by": DUE}, texts.NO_ACTION),
        ("opened", {"due_at": DUE}, texts.NO_ACTION),
    ],
)  # fmt: skip
def test_action_line_says_what_to_do_by_when(kind: str, data: dict, line: str):
    assert texts.action_line(kind, data, 8).startswith(line)


def test_compose_names_the_case_and_its_place_and_links_it():
    text = texts.compose(
        case_id="C-1", title="Noise at night", place="Qianli Village, Qianli Township",
        summary="yellow warning", kind="warning", data={"due_at": DUE},
        case_url="https://x/cases/C-1", offset_hours=0,
    )  # fmt: skip
    assert text.splitlines() == [
        "[C-1] Noise at night (Qianli Village, Qianli Township)",
        "yellow warning",
        "Settle it or report the outcome by 2026-11-25 06:00 (UTC+0), or it goes up a level.",
        "Open: https://x/cases/C-1",
    ]
