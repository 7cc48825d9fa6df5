"""The 信访 and tracks' figures where people read them: the terminal report, summary.md,
report.html (Chinese names from the `report` catalog) and metrics.csv (English columns), on
the hand-built ledger of tests/ledger/test_track_figures.py."""

from __future__ import annotations

import re
from pathlib import Path

from activities.report_texts import more_tables
from cli.report import print_report, write_report_files
from tests import ledger_stories as ls
from tests.activities.test_report_html import visible_text
from tests.activities.test_reports import read_csv
from tests.ledger.test_track_figures import ledger  # noqa: F401  (the fixture)
from texts import Lang


def row_of(text: str, unit: str, after: str) -> list[str]:
    """The cells of `unit`'s row in the terminal table that follows the line `after`."""
    lines = text.splitlines()
    start = lines.index(after)
    row = next(line for line in lines[start:] if line.startswith(unit))
    return row[len(unit) :].split()


async def test_the_terminal_report_has_the_petition_and_track_tables_in_chinese(ledger):  # noqa: F811
    text = await print_report(ledger, "2026-11", ls.HAIBEI, ls.AS_OF, lang=Lang.zh)

    assert "信访" in text.splitlines() and "三调联动与诉讼" in text.splitlines()
    for name in (
        "按期受理率",
        "信访按期办结率",
        "信访满意率",
        "诉前调解成功率",
        "法定期限内办结率",
    ):
        assert name in text
    # Shares of 4 disputes: people's 3, administrative 1, court-referred 1, arbitration 1,
    # court road 1; pre-filing 1 of 2 settled; 5 of 7 stays within the limit.
    tracks = row_of(text, ls.HAIBEI, "三调联动与诉讼")
    assert tracks == ["75.0%", "25.0%", "25.0%", "25.0%", "25.0%", "50.0%", "71.4%"]
    assert row_of(text, ls.HAIBEI, "各渠道用时（天，中位数）") == ["6", "3", "1", "18", "15"]


async def test_report_html_summary_and_csv_carry_the_new_figures(ledger, tmp_path: Path):  # noqa: F811
    await write_report_files(ledger, "2026-11", ls.AS_OF, tmp_path, "zh")
    folder = tmp_path / "monthly" / "2026-11"

    html = (folder / "report.html").read_text(encoding="utf-8")
    text = visible_text(html)
    for table in more_tables(Lang.zh):
        assert f"<h2>{table.heading}</h2>" in html
        assert all(f.name in text for f in table.figures)
    assert re.search(r"诉前调解成功率</th>.*?</tr>", html, re.S)
    assert "诉前调解成功率" in (folder / "summary.md").read_text(encoding="utf-8")
    haibei = next(r for r in read_csv(folder / "metrics.csv") if r["scope_unit"] == ls.HAIBEI)
    assert float(haibei["pre_filing_success_rate"]) == 0.5
    assert (haibei["days_court"], haibei["reached_court"]) == ("15.0", "1")
    assert haibei["petition_acceptance_on_time_rate"] == ""  # no 信访 acceptance: no rate
