"""The department actions of the command line: the inputs they build and the duty they name.

The actor is the token's person (the CLI asks the API who that is); here it is handed in.
"""

from __future__ import annotations

import argparse

import pytest
from pydantic import ValidationError

from api.actions import API_ACTIONS
from cli.case_commands import build_input
from cli.duty_commands import add_duty_parsers
from domain.actions import Actor
from domain.duty_contract import DutyCheckIn, DutyDecline, DutyReport, DutyRuling
from workflows.department_duty import DepartmentDutyWorkflow as W

POLICE = Actor(name="张警官", role="police_station", unit="Haibei Street")


def parse(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_duty_parsers(p.add_subparsers(dest="command", required=True), run=print)
    return p.parse_args(argv)


def sends(args: argparse.Namespace, update) -> bool:
    """Whether the command's action is sent as this update of the duty's workflow."""
    return args.action.action.update_name == update._defn.name


def workflow_id(args: argparse.Namespace) -> str:
    """The duty the API sends the command's action to."""
    return API_ACTIONS[args.command].workflow_id(args.case_id, args.department, args.whistle)


def test_check_in_acts_as_the_department_officer():
    args = parse("check-in", "W-1", "police_station")

    assert build_input(args, POLICE) == DutyCheckIn(actor=POLICE)
    assert sends(args, W.check_in)
    assert workflow_id(args) == "case-W-1-whistle-1-police_station"


def test_file_report_carries_its_part_and_the_whistle():
    args = parse("file-report", "W-1", "labour", "--result", "wages paid", "--findings", "3 months",
                 "--whistle", "2")  # fmt: skip
    labour = Actor(name="陈科员", role="labour", unit="Haibowan District")

    report = build_input(args, labour)
    assert isinstance(report, DutyReport)
    assert (report.result, report.findings, report.actions) == ("wages paid", "3 months", None)
    assert report.actor == labour
    assert sends(args, W.file_report)
    assert workflow_id(args) == "case-W-1-whistle-2-labour"


def test_decline_and_rulings():
    decline = build_input(parse("decline", "W-1", "police_station", "--reason", "civil"), POLICE)
    assert decline == DutyDecline(actor=POLICE, reason="civil")
    boss = Actor(name="督办员", role="supervisor", unit="Haibei Street")
    for word, uphold in (("uphold", True), ("overrule", False)):
        args = parse("rule-decline", "W-1", "police_station", word, "--reason", "r")
        ruling = build_input(args, boss)
        assert ruling == DutyRuling(actor=boss, uphold=uphold, reason="r")
        assert sends(args, W.rule_decline)


def test_a_malformed_action_is_refused_before_anything_is_sent():
    args = parse("file-report", "W-1", "police_station", "--result", "")
    with pytest.raises(ValidationError):
        build_input(args, POLICE)
    with pytest.raises(SystemExit):
        parse("check-in", "W-1")  # the department is required
    with pytest.raises(SystemExit):
        parse("check-in", "W-1", "police_station", "--by", "张警官")  # the actor is the token's
