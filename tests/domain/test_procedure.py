"""The procedure engine on the checked-in tables: every statutory window of issue 21's
"Done when", counted as the law counts (民法典 Arts. 200–204)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from domain.calendar import WEEKENDS_ONLY, parse_calendar
from domain.petition import Earlier, RepeatAnswer, answer_repeat
from domain.policy_files import PolicyError
from domain.procedure import (
    Act,
    Counting,
    Refusal,
    Run,
    act,
    check,
    expire,
    next_due,
    start,
    step_takers,
    view,
)
from domain.procedure_clock import month_end
from domain.procedure_table import ProcedureTable, parse_procedure, parse_procedures
from texts import Lang

ROOT = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))
COUNT = Counting()


def tables() -> dict[str, ProcedureTable]:
    files = {str(p): p.read_text(encoding="utf-8") for p in (ROOT / "procedures").glob("*.toml")}
    return parse_procedures(files)


PETITION, LABOUR, COURT = (tables()[n] for n in ("petition", "labour_arbitration", "court"))


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CST)


def end_of(day: date) -> datetime:
    """24:00 Beijing time of `day`."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CST)


def do(table: ProcedureTable, run: Run, action: str, when: datetime, **kw) -> Run:
    return act(table, run, Act(action=action, at=when, **kw), COUNT).run


def working_days_after(day: date, n: int) -> date:
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


#: Days of 2026 and 2027 whose counts below end on working days (no weekend move), and some
#: that end on a weekend, so both rules are exercised whatever the weekday.
DAYS = [date(2026, 3, 2), date(2026, 6, 17), date(2026, 12, 31), date(2027, 2, 26)]


# --- 信访 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("registered", DAYS)
def test_a_registered_petition_left_alone_is_flagged_when_its_15_days_pass(registered):
    run = start(PETITION, at(registered), COUNT)
    window = run.window("register")
    assert window is not None and window.law == "信访工作条例 第二十二条"
    due = window.due_at
    assert due >= end_of(registered + timedelta(days=15))
    quiet = expire(PETITION, run, due - timedelta(seconds=1), COUNT)
    assert quiet.run.flags == [] and quiet.effects == []
    flagged = expire(PETITION, run, due, COUNT)
    assert flagged.run.flags == ["overdue:register"]
    assert [(e.kind, e.window) for e in flagged.effects] == [("flag", "register")]
    # Flagged once: the window stays listed, expired, until the office forwards or assigns.
    assert expire(PETITION, flagged.run, due + timedelta(days=9), COUNT).effects == []
    assert view(flagged.run).windows[0].expired is True


@pytest.mark.parametrize("assigned", DAYS)
@pytest.mark.parametrize(("nth_working_day", "refused"), [(5, False), (6, True)])
def test_an_assigned_body_may_object_within_5_working_days_only(assigned, nth_working_day, refused):
    run = do(PETITION, start(PETITION, at(assigned), COUNT), "assign", at(assigned, 11))
    objection = Act(action="object", at=at(working_days_after(assigned, nth_working_day), 16))
    why = check(PETITION, run, objection, COUNT)
    if refused:
        assert why is not None and "第二十三条第三款" in why
        with pytest.raises(Refusal):
            act(PETITION, run, objection, COUNT)
    else:
        assert why is None
        assert act(PETITION, run, objection, COUNT).run.state == "objected"


def _accepted(day: date) -> Run:
    run = start(PETITION, at(day), COUNT, state="received_by_body")
    return do(PETITION, run, "accept", at(day))


@pytest.mark.parametrize(
    "accepted", [date(2026, 3, 2), date(2026, 6, 19), date(2026, 10, 7), date(2027, 1, 4)]
)
def test_an_accepted_petition_extended_once_is_due_on_day_90_and_not_again(accepted):
    run = _accepted(accepted)
    assert run.window("handle").due_at == _law_end(accepted, 60)
    run = do(PETITION, run, "extend", at(accepted + timedelta(days=50)), window="handle")
    assert run.window("handle").due_at == _law_end(accepted, 90)
    assert run.window("handle").length == "90d"
    again = Act(action="extend", at=at(accepted + timedelta(days=55)), window="handle")
    assert "extended 1 time(s) only" in check(PETITION, run, again, COUNT)
    assert "只能延长 1 次" in check(PETITION, run, again, COUNT, Lang.zh)


def _law_end(start_day: date, days: int) -> datetime:
    """Day `days` after `start_day`, moved past a weekend (民法典 Art. 203), at 24:00."""
    last = start_day + timedelta(days=days)
    while last.weekday() >= 5:
        last += timedelta(days=1)
    return end_of(last)


def _answered(received: date) -> Run:
    run = _accepted(received - timedelta(days=20))
    return do(
        PETITION, run, "reply", at(received, 18),
        happened_at=at(received), facts={"opinion": "no_support"},
    )  # fmt: skip


@pytest.mark.parametrize("received", [date(2026, 3, 2), date(2026, 9, 8), date(2027, 1, 11)])
@pytest.mark.parametrize(("after_days", "refused"), [(30, False), (31, True)])
def test_a_review_is_refused_31_days_after_the_replys_receipt(received, after_days, refused):
    # Day 30 from these receipts is a working day, so day 31 is past the window.
    assert (received + timedelta(days=30)).weekday() < 5
    run = _answered(received)
    request = Act(action="request_review", at=at(received + timedelta(days=after_days), 9))
    why = check(PETITION, run, request, COUNT)
    assert (why is not None) is refused
    if refused:
        assert "第三十五条" in why


def test_a_review_on_day_31_is_in_time_when_day_30_was_a_sunday():
    received = date(2026, 3, 6)  # day 30 is Sunday 5 April: moved to Monday (Art. 203)
    run = _answered(received)
    assert (
        check(PETITION, run, Act(action="request_review", at=at(date(2026, 4, 6))), COUNT) is None
    )


def test_a_review_window_left_to_pass_concludes_the_matter():
    run = _answered(date(2026, 3, 2))
    outcome = expire(PETITION, run, at(date(2026, 4, 2)), COUNT)
    assert outcome.run.state == "concluded" and outcome.run.final


@pytest.mark.parametrize("requested", [date(2026, 3, 2), date(2026, 5, 12), date(2026, 11, 2)])
def test_a_re_review_with_a_10_day_hearing_is_due_on_day_40(requested):
    run = _answered(requested - timedelta(days=70))
    run = do(PETITION, run, "request_review", at(requested - timedelta(days=60)))
    run = do(
        PETITION, run, "review_decision", at(requested - timedelta(days=20)),
        happened_at=at(requested - timedelta(days=20)),
    )  # fmt: skip
    run = do(PETITION, run, "request_re_review", at(requested))
    assert run.window("re_review_decide").due_at == _law_end(requested, 30)
    run = do(PETITION, run, "pause", at(requested + timedelta(days=5)), reason="hearing")
    assert next_due(run) is None and view(run).windows[0].paused is True
    run = do(PETITION, run, "resume", at(requested + timedelta(days=15)), reason="hearing")
    assert run.window("re_review_decide").due_at == _law_end(requested, 40)


def _final_after_re_review() -> Run:
    run = _answered(date(2026, 1, 5))
    run = do(PETITION, run, "request_review", at(date(2026, 1, 10)))
    run = do(PETITION, run, "review_decision", at(date(2026, 2, 2)))
    run = do(PETITION, run, "request_re_review", at(date(2026, 2, 10)))
    return do(PETITION, run, "re_review_decision", at(date(2026, 3, 2)))


def test_after_re_review_the_matter_is_final_and_a_repeat_with_the_same_facts_is_not_accepted():
    run = _final_after_re_review()
    assert run.state == "final_after_re_review" and run.final and run.open_windows() == []
    assert "final" in check(PETITION, run, Act(action="reply", at=at(date(2026, 3, 3))), COUNT)
    earlier = Earlier(matter_id="XF-1", state=run.state, final=run.final)
    same = answer_repeat(earlier, new_facts=False, higher_body=True)
    assert same.answer is RepeatAnswer.final_not_accepted and same.linked_to == "XF-1"
    assert same.law == "信访工作条例 第三十六条第三款"
    new = answer_repeat(earlier, new_facts=True, higher_body=False)
    assert new.answer is RepeatAnswer.new and new.linked_to == "XF-1"


@pytest.mark.parametrize(
    ("state", "final", "higher", "answer"),
    [
        ("accepted", False, True, RepeatAnswer.pending_not_accepted),  # Art. 19 ¶3
        ("accepted", False, False, RepeatAnswer.new),
        ("concluded", True, True, RepeatAnswer.new),
        ("final_after_re_review", True, False, RepeatAnswer.final_not_accepted),
    ],
)
def test_a_repeat_petition_is_answered_by_where_the_earlier_one_stands(
    state, final, higher, answer
):
    earlier = Earlier(matter_id="XF-9", state=state, final=final)
    assert answer_repeat(earlier, new_facts=False, higher_body=higher).answer is answer
    assert answer_repeat(None, new_facts=False, higher_body=higher).answer is RepeatAnswer.new


def test_mediation_keeps_the_60_day_clock_running():
    run = _accepted(date(2026, 3, 2))
    due = run.window("handle").due_at
    assert "consent" in check(
        PETITION, run, Act(action="to_mediation", at=at(date(2026, 3, 3))), COUNT
    )
    run = do(PETITION, run, "to_mediation", at(date(2026, 3, 3)), facts={"consent": True})
    run = do(PETITION, run, "mediation_failed", at(date(2026, 3, 20)))
    assert run.state == "accepted" and run.window("handle").due_at == due
    assert len([w for w in run.windows if w.name == "handle"]) == 1


def test_a_petition_routed_to_litigation_leaves_the_petition_road():
    run = start(PETITION, at(date(2026, 3, 2)), COUNT)
    run = do(PETITION, run, "route_away", at(date(2026, 3, 3)), facts={"route": "litigation"})
    assert run.state == "routed_away" and run.final and run.open_windows() == []


# --- labour arbitration ------------------------------------------------------------------


@pytest.mark.parametrize("applied", DAYS)
def test_arbitration_not_accepted_by_day_5_opens_the_workers_right_to_sue(applied):
    run = start(LABOUR, at(applied), COUNT, state="applied")
    due = run.window("accept").due_at
    assert due >= end_of(applied + timedelta(days=5))
    sue = Act(action="sue_on_silence", at=due - timedelta(hours=1))
    assert "may_sue" in check(LABOUR, run, sue, COUNT)
    outcome = expire(LABOUR, run, due, COUNT)
    assert outcome.run.routes == ["may_sue"]
    assert ("route", "may_sue") in [(e.kind, e.what) for e in outcome.effects]
    sued = act(LABOUR, run, Act(action="sue_on_silence", at=due + timedelta(hours=1)), COUNT)
    assert sued.run.state == "to_court"


@pytest.mark.parametrize(
    ("wage_months", "state", "window", "law"),
    [
        (8, "award_final_for_employer", "worker_sue", "劳动争议调解仲裁法 第四十八条"),
        (12, "award_final_for_employer", "worker_sue", "劳动争议调解仲裁法 第四十八条"),
        (13, "award_open_to_suit", "sue", "劳动争议调解仲裁法 第五十条"),
    ],
)
def test_an_award_of_at_most_12_months_wage_is_final_for_the_employer(
    wage_months, state, window, law
):
    run = start(LABOUR, at(date(2026, 3, 2)), COUNT, state="applied")
    run = do(LABOUR, run, "accept", at(date(2026, 3, 4)))
    run = do(
        LABOUR, run, "award", at(date(2026, 4, 1)),
        happened_at=at(date(2026, 4, 1)), facts={"wage_months": wage_months},
    )  # fmt: skip
    assert run.state == state
    assert [(w.name, w.law) for w in run.open_windows()] == [(window, law)]
    assert run.window(window).due_at == _law_end(date(2026, 4, 1), 15)
    effective = expire(LABOUR, run, run.window(window).due_at, COUNT).run
    assert effective.state == "award_effective"


def test_the_award_window_is_45_days_plus_15_once():
    run = start(LABOUR, at(date(2026, 3, 2)), COUNT, state="applied")
    run = do(LABOUR, run, "accept", at(date(2026, 3, 4)))
    assert run.window("award").due_at == _law_end(date(2026, 3, 4), 45)
    run = do(LABOUR, run, "extend", at(date(2026, 4, 1)), window="award")
    assert run.window("award").due_at == _law_end(date(2026, 3, 4), 60)


# --- the court road -----------------------------------------------------------------------


@pytest.mark.parametrize("received", DAYS)
def test_a_pre_filing_mediation_past_day_30_goes_to_docketing_due_within_7_days(received):
    run = start(COURT, at(received), COUNT)
    due = run.window("pre_filing").due_at
    assert due == _law_end(received, 30)
    outcome = expire(COURT, run, due + timedelta(hours=1), COUNT)
    assert outcome.run.state == "filed"
    docket = outcome.run.window("docket")
    assert docket.starts_at == due
    assert docket.due_at == _law_end(due.astimezone(CST).date() - timedelta(days=1), 7)
    assert docket.law == "民事诉讼法 第一百二十六条"


def test_a_pre_filing_mediation_is_extended_only_with_both_parties_consent():
    run = start(COURT, at(date(2026, 3, 2)), COUNT)
    without = Act(action="extend", at=at(date(2026, 3, 20)), window="pre_filing")
    assert "consent" in check(COURT, run, without, COUNT)
    run = do(COURT, run, "extend", at(date(2026, 3, 20)), window="pre_filing",
             facts={"consent": True})  # fmt: skip
    assert run.window("pre_filing").due_at == _law_end(date(2026, 3, 2), 60)


@pytest.mark.parametrize("docketed", [date(2026, 3, 3), date(2026, 6, 1), date(2026, 9, 8)])
def test_a_small_claim_with_a_20_day_appraisal_is_due_20_days_later(docketed):
    run = start(COURT, at(docketed), COUNT, state="filed")
    run = do(COURT, run, "docket_small_claims", at(docketed))
    plain = run.window("trial_small_claims").due_at
    assert plain == _law_end_months(docketed, 2)
    run = do(COURT, run, "pause", at(docketed + timedelta(days=10)), reason="appraisal")
    run = do(COURT, run, "resume", at(docketed + timedelta(days=30)), reason="appraisal")
    last = month_end(docketed, 2) + timedelta(days=20)
    assert run.window("trial_small_claims").due_at == _law_end(last, 0)
    # Converted to ordinary: six months from the original docketing, the appraisal still out.
    run = do(COURT, run, "convert_to_ordinary", at(docketed + timedelta(days=40)))
    trial = run.window("trial_ordinary")
    assert run.state == "ordinary" and trial.starts_at == at(docketed)
    assert trial.due_at == _law_end(month_end(docketed, 6) + timedelta(days=20), 0)
    assert run.window("trial_small_claims").closed_at is not None


def _law_end_months(day: date, months: int) -> datetime:
    return _law_end(month_end(day, months), 0)


@pytest.mark.parametrize(
    ("start_day", "months", "last"),
    [
        (date(2026, 3, 15), 2, date(2026, 5, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: its last day (Art. 202)
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 10, 30), 4, date(2027, 2, 28)),
        (date(2026, 5, 10), 24, date(2028, 5, 10)),
    ],
)
def test_months_end_on_the_same_day_of_the_later_month_or_its_last_day(start_day, months, last):
    assert month_end(start_day, months) == last


def test_a_month_end_on_a_public_holiday_moves_past_it():
    cal = parse_calendar((ROOT / "calendars" / "cn.toml").read_text(encoding="utf-8"), source="cn")
    counting = Counting(calendar=cal)
    # Docketed 1 August 2026: two months end on 1 October, inside the National Day holiday.
    run = start(COURT, at(date(2026, 8, 1)), counting, state="filed")
    run = act(COURT, run, Act(action="docket_small_claims", at=at(date(2026, 8, 1))), counting).run
    due = run.window("trial_small_claims").due_at.astimezone(CST).date()
    assert due > date(2026, 10, 2) and cal.is_working_day(due - timedelta(days=1))


def test_a_judgment_not_appealed_in_15_days_takes_effect_and_opens_2_years_to_enforce():
    run = start(COURT, at(date(2026, 3, 2)), COUNT, state="filed")
    run = do(COURT, run, "docket_ordinary", at(date(2026, 3, 3)))
    run = do(COURT, run, "judgment", at(date(2026, 6, 1)))
    assert run.window("appeal").due_at == _law_end(date(2026, 6, 1), 15)
    late = Act(action="appeal", at=at(date(2026, 6, 17)))
    assert "too late" in check(COURT, run, late, COUNT)
    run = expire(COURT, run, at(date(2026, 6, 17)), COUNT).run
    assert run.state == "effective"
    # Effective at 24:00 on 16 June, the appeal window's end: two years from that day.
    assert run.window("apply_enforcement").due_at == _law_end_months(date(2026, 6, 16), 24)


def test_a_payment_order_not_objected_to_in_15_days_becomes_enforceable():
    run = start(COURT, at(date(2026, 3, 2)), COUNT, state="payment_order_applied")
    assert run.window("issue_order").due_at == _law_end(date(2026, 3, 2), 15)
    run = do(COURT, run, "issue_payment_order", at(date(2026, 3, 10)))
    assert run.window("order_objection").due_at == _law_end(date(2026, 3, 10), 15)
    assert expire(COURT, run, at(date(2026, 3, 26)), COUNT).run.state == "effective"


def test_enforcement_is_6_months_plus_3_once():
    run = start(COURT, at(date(2026, 3, 2)), COUNT, state="enforcement_applied")
    assert run.window("enforce").due_at == _law_end_months(date(2026, 3, 2), 6)
    run = do(COURT, run, "extend", at(date(2026, 8, 3)), window="enforce")
    assert run.window("enforce").due_at == _law_end_months(date(2026, 3, 2), 9)


# --- the engine's rules -------------------------------------------------------------------


def test_a_demo_day_scales_every_window():
    counting = Counting(day=timedelta(minutes=1))
    begin = at(date(2026, 3, 2))
    run = start(PETITION, begin, counting)
    assert run.window("register").due_at == begin + timedelta(minutes=15)
    run = start(COURT, begin, counting, state="filed")
    run = act(COURT, run, Act(action="docket_small_claims", at=begin), counting).run
    assert run.window("trial_small_claims").due_at == begin + timedelta(minutes=61)  # Mar+Apr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('opens = ["register"]', 'opens = ["registr"]'), "no window 'registr'"),
        (('length = "15d"', 'length = "15 days"'), "not a length"),
        (('to = "forwarded"', 'to = "forwardd"'), "no state 'forwardd'"),
        (('law = "信访工作条例 第二十二条（转送）"', 'law = ""'), "law"),
        (('by = "30d"', 'by = "1mo"'), "must count in d"),
    ],
)
def test_a_table_with_a_broken_line_is_refused_naming_it(edit, message):
    text = (ROOT / "procedures" / "petition.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    with pytest.raises(PolicyError, match=message):
        parse_procedure(text.replace(edit[0], edit[1], 1), source="petition.toml")


def test_every_window_action_state_and_pause_cites_the_law():
    for table in tables().values():
        lines = [
            *table.states.values(), *table.windows.values(), *table.actions.values(),
            *table.pauses.values(), *(w.expiry for w in table.windows.values()),
        ]  # fmt: skip
        assert all(line.law.strip() for line in lines), table.name


def test_an_action_not_allowed_in_the_state_is_refused():
    run = start(PETITION, at(date(2026, 3, 2)), COUNT)
    assert "not allowed" in check(
        PETITION, run, Act(action="reply", at=at(date(2026, 3, 3))), COUNT
    )
    assert "no action" in check(PETITION, run, Act(action="fly", at=at(date(2026, 3, 3))), COUNT)
    assert check(
        PETITION, run, Act(action="pause", reason="hearing", at=at(date(2026, 3, 3))), COUNT
    )
    assert WEEKENDS_ONLY.is_working_day(date(2026, 3, 2))


# --- working days on the calendar (信访工作条例 Art. 23 ¶3: 5 working days to object) --------

CN = parse_calendar((ROOT / "calendars" / "cn.toml").read_text(encoding="utf-8"), source="cn")
#: (assigned, its 5th working day, its 6th) on calendars/cn.toml: across a weekend; across the
#: Mid-Autumn and National Day holidays; the Labour Day holiday and its make-up Saturday
#: (2026-05-09 counts); the Dragon Boat holiday.
WORKING_DAYS = [
    (date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 16)),
    (date(2026, 9, 23), date(2026, 10, 8), date(2026, 10, 9)),
    (date(2026, 4, 30), date(2026, 5, 11), date(2026, 5, 12)),
    (date(2026, 6, 16), date(2026, 6, 24), date(2026, 6, 25)),
]


@pytest.mark.parametrize(("assigned", "fifth", "sixth"), WORKING_DAYS)
def test_an_objection_on_the_6th_working_day_by_the_calendar_is_refused(assigned, fifth, sixth):
    count = Counting(calendar=CN)
    run = act(PETITION, start(PETITION, at(assigned), count), Act(action="assign",
              at=at(assigned, 11)), count).run  # fmt: skip
    assert run.window("object").due_at == end_of(fifth)
    assert check(PETITION, run, Act(action="object", at=at(fifth, 23)), count) is None
    why = check(PETITION, run, Act(action="object", at=at(sixth, 9)), count)
    assert why is not None and "第二十三条第三款" in why


@pytest.mark.parametrize(("assigned", "fifth", "sixth"), WORKING_DAYS)
def test_a_demo_minute_keeps_its_days_weekday_so_the_6th_working_day_is_refused(
    assigned, fifth, sixth
):
    minute = timedelta(minutes=1)
    count = Counting(calendar=CN, day=minute, scaled_calendar=True)
    assigned_at = at(assigned, 11)
    run = act(PETITION, start(PETITION, at(assigned), count), Act(action="assign",
              at=assigned_at), count).run  # fmt: skip

    # Scaled day k runs during the k-th minute after the assignment, as day k after its date.
    def on(day: date) -> datetime:
        return assigned_at + (day - assigned).days * minute - timedelta(seconds=30)

    assert run.window("object").due_at == assigned_at + (fifth - assigned).days * minute
    assert check(PETITION, run, Act(action="object", at=on(fifth)), count) is None
    assert check(PETITION, run, Act(action="object", at=on(sixth)), count) is not None


def test_a_demo_matter_opened_before_scaled_calendars_counts_working_days_as_days():
    minute = timedelta(minutes=1)
    count = Counting(calendar=CN, day=minute)  # as its start input recorded it
    assigned_at = at(date(2026, 3, 6), 11)  # a Friday: the old count ignores the weekend
    run = act(PETITION, start(PETITION, assigned_at, count), Act(action="assign",
              at=assigned_at), count).run  # fmt: skip
    assert run.window("object").due_at == assigned_at + 5 * minute


# --- who takes each step (the tables' `by`) --------------------------------------------------


def _ordinary_trial() -> Run:
    run = start(COURT, at(date(2026, 3, 2)), COUNT, state="filed")
    return do(COURT, run, "docket_ordinary", at(date(2026, 3, 3)))


@pytest.mark.parametrize(
    ("role", "action", "kw", "refused"),
    [
        ("judge", "judgment", {}, False),
        ("governance_centre", "judgment", {}, True),  # a township's clerk
        ("applicant", "judgment", {}, True),  # the winning side cannot write its judgment
        ("court_clerk", "judgment", {}, True),
        ("judge", "extend", {"window": "trial_ordinary"}, False),
        ("applicant", "extend", {"window": "trial_ordinary"}, True),
        ("court_clerk", "pause", {"reason": "appraisal"}, False),
        ("applicant", "pause", {"reason": "appraisal"}, True),
        ("judge", "pause", {"reason": "auction"}, True),  # an enforcement pause
    ],
)
def test_a_court_step_is_taken_only_by_the_roles_its_table_names(role, action, kw, refused):
    taken = Act(action=action, at=at(date(2026, 3, 9)), role=role, **kw)
    why = check(COURT, _ordinary_trial(), taken, COUNT, Lang.zh)
    assert (why is not None) is refused, why


def test_a_refusal_for_the_role_names_the_step_and_the_roles_it_needs_in_chinese():
    township_clerk = Act(action="judgment", at=at(date(2026, 3, 9)), role="governance_centre")
    why = check(COURT, _ordinary_trial(), township_clerk, COUNT, Lang.zh)
    assert why is not None
    assert why.startswith("判决须由法官办理") and why.endswith("综治中心不能办理")


@pytest.mark.parametrize(
    ("table", "action", "line"),
    [
        (LABOUR, "award", ["arbitrator"]),
        (LABOUR, "sue", ["applicant", "respondent", "court_clerk"]),
        (LABOUR, "worker_sues", ["applicant", "court_clerk"]),
        (COURT, "enforcement_done", ["enforcement_officer"]),
        (PETITION, "accept", ["handling_body"]),
    ],
)
def test_who_may_take_a_step_is_read_from_its_line(table, action, line):
    assert table.takers(action) == line


def test_a_line_naming_no_one_falls_back_to_the_tables_by_and_then_to_anyone():
    lines = (ROOT / "procedures" / "labour_arbitration.toml").read_text(encoding="utf-8")
    bare = lines.replace('by = ["arbitrator"]\nlaw = "劳动争议调解仲裁法 第二十九条"\n',
                         'law = "劳动争议调解仲裁法 第二十九条"\n', 1)  # fmt: skip
    assert bare != lines
    table = parse_procedure(bare, source="t")
    assert table.takers("accept") == []  # anyone
    table = parse_procedure('by = ["arbitrator"]\n' + bare, source="t")
    assert table.takers("accept") == ["arbitrator"]


@pytest.mark.parametrize(
    ("procedure", "state", "takers"),
    [
        # Filed: docketing or withdrawal, the clerk's alone.
        ("court", "filed", {"court_clerk"}),
        # Pre-filing mediation: the mediator settles or fails it, the clerk may fail it or
        # extend its window (with consent).
        ("court", "pre_filing_mediation", {"mediator", "court_clerk"}),
        # Applied for arbitration: the committee accepts or declines; the worker (or the
        # court's clerk) may already sue on its silence.
        ("labour_arbitration", "applied", {"arbitrator", "applicant", "court_clerk"}),
    ],
)
def test_a_matter_offers_its_step_to_the_roles_its_table_names_in_that_state(
    procedure, state, takers
):
    run = start(tables()[procedure], at(date(2026, 3, 2)), COUNT, state)
    assert step_takers(tables()[procedure], run) == takers
