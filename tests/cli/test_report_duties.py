"""`starter.py duties` on a terminal: the day's figures after the list, as the daily report
counts them."""

from __future__ import annotations

from cli.report_duties import duty_line, summary_line

CUTOFF = "2026-12-06T16:00:00+08:00"


def duty(state: str, filed_at: str | None = None, kind: str | None = None) -> dict:
    return {"state": state, "filed_at": filed_at, "kind": kind, "cutoff_at": CUTOFF}


def test_nine_of_ten_on_time_is_ninety_percent_with_the_zero_and_flagged_reports():
    found = [
        *[duty("zero", "2026-12-06T15:00:00+08:00", "zero")] * 5,
        duty("flagged", "2026-12-06T15:30:00+08:00", "zero"),
        *[duty("filed", "2026-12-06T15:59:00+08:00", "matters")] * 3,
        duty("missing"),
    ]
    line = summary_line(found)
    assert line is not None and "10" in line and "9" in line and "90%" in line
    assert line.endswith("零报告：6份；被标记：1份")


def test_a_late_report_is_owed_but_not_on_time_and_a_duty_still_due_is_not_owed():
    found = [duty("late", "2026-12-06T16:01:00+08:00", "zero"), duty("due")]
    assert "（0%）" in summary_line(found)
    assert summary_line([duty("due")]) is None


def test_a_weekly_unit_owing_a_report_in_a_sensitive_period_names_the_period():
    base = {"day": "2027-02-09", "unit": "钻石广场社区", "state": "due", "filed_at": None,
            "reports_to": "海北街道"}  # fmt: skip
    assert duty_line({**base, "sensitive": "春节"}).endswith("→ 海北街道  （春节期间每日报送）")
    assert duty_line({**base, "sensitive": None}).endswith("→ 海北街道")


def test_a_duty_s_state_reads_in_chinese_on_a_terminal():
    base = {"day": "2026-12-06", "unit": "东滩村第二网格", "filed_at": "2026-12-06T15:40:00+08:00",
            "reports_to": "东滩村", "sensitive": None}  # fmt: skip
    assert "  零报告存疑  15:40  → 东滩村" in duty_line({**base, "state": "flagged"})
    assert "flagged" not in duty_line({**base, "state": "flagged"})
