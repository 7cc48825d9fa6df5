"""The department actions of the command line: the inputs they build and the duty they name."""

from __future__ import annotations

import argparse

import pytest
from pydantic import ValidationError

from domain.actions import Actor
from domain.duty_contract import DutyCheckIn, DutyDecline, DutyReport, DutyRuling
from runtime.duty_commands import add_duty_parsers, build_duty_input, duty_workflow_id_for
from workflows.department_duty import DepartmentDutyWorkflow as W


def parse(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_duty_parsers(p.add_subparsers(dest="command", required=True), run=print)
    return p.parse_args(argv)


def test_check_in_acts_as_the_department_by_default():
    args = parse("check-in", "W-1", "police_station", "--by", "张警官", "--unit", "Haibei Street")

    assert build_duty_input(args) == DutyCheckIn(
        actor=Actor(name="张警官", role="police_station", unit="Haibei Street")
    )
    assert args.action.update is W.check_in
    assert duty_workflow_id_for(args) == "case-W-1-whistle-1-police_station"


def test_file_report_carries_its_part_and_the_whistle():
    args = parse("file-report", "W-1", "labour", "--result", "wages paid", "--findings", "3 months",
                 "--whistle", "2", "--by", "陈科员", "--unit", "Haibowan District")  # fmt: skip

    report = build_duty_input(args)
    assert isinstance(report, DutyReport)
    assert (report.result, report.findings, report.actions) == ("wages paid", "3 months", None)
    assert report.actor.role == "labour"
    assert args.action.update is W.file_report
    assert duty_workflow_id_for(args) == "case-W-1-whistle-2-labour"


def test_decline_and_rulings():
    decline = build_duty_input(parse("decline", "W-1", "police_station", "--reason", "civil",
                                     "--by", "张警官", "--unit", "Haibei Street"))  # fmt: skip
    assert decline == DutyDecline(
        actor=Actor(name="张警官", role="police_station", unit="Haibei Street"), reason="civil"
    )
    for word, uphold in (("uphold", True), ("overrule", False)):
        args = parse("rule-decline", "W-1", "police_station", word, "--reason", "r",
                     "--by", "督办员", "--unit", "Haibei Street")  # fmt: skip
        ruling = build_duty_input(args)
        assert ruling == DutyRuling(
            actor=Actor(name="督办员", role="supervisor", unit="Haibei Street"),
            uphold=uphold,
            reason="r",
        )
        assert args.action.update is W.rule_on_decline


def test_a_malformed_action_is_refused_before_anything_is_sent():
    args = parse("file-report", "W-1", "police_station", "--result", "",
                 "--by", "张警官", "--unit", "Haibei Street")  # fmt: skip
    with pytest.raises(ValidationError):
        build_duty_input(args)
    with pytest.raises(SystemExit):
        parse("check-in", "W-1", "police_station", "--by", "张警官")  # --unit is required
