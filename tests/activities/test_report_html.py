"""report.html from a hand-built ledger: its tables, definitions and lists in Chinese (and in
English), and in headless Chromium its Chinese drawn by the font embedded in the file.

The browser is Debian's chromium (`make test` installs it with apt); Playwright never
downloads one. Whether the machine has a CJK font of its own does not matter to the check:
Chromium's DevTools say which font drew each glyph of a node, and every glyph of the Chinese
title and of a chart's labels must come from the embedded web font, not from the system.
"""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import asyncpg
import pytest
from fontTools.ttLib import TTFont
from temporalio.testing import ActivityEnvironment

from activities.report_font import FAMILY
from activities.reports import ReportActivities
from domain.periods import AssessmentKind
from tests import ledger_stories as ls
from tests.activities.test_reports import compute, ledger  # noqa: F401  (the fixture)
from texts import Lang

TITLE = "楼上漏水致楼下墙面受损"
HANDLER = "赵网格员"
#: The headline figures by their Chinese names (docs/metrics.md).
HEADLINE = ("响应率", "调解率", "首调成功率", "调解成功率", "解决率", "满意率")


@pytest.fixture
async def chinese_ledger(ledger: asyncpg.Pool) -> asyncpg.Pool:  # noqa: F811
    """The November stories with a Chinese title, handler and red risk on the overdue case D
    and the case I that is due within 24 hours on 30 November."""
    for case_id in ("D", "I"):
        await ledger.execute(
            "UPDATE cases SET title = $2, risk = 'red', assignee = $3 WHERE case_id = $1",
            case_id,
            f"{TITLE}（{case_id}）",
            {"name": HANDLER, "role": "grid_worker", "unit": "G-07"},
        )
    return ledger


async def write_report(pool: asyncpg.Pool, root: Path, lang: Lang, kind, period: str) -> Path:
    reports = ReportActivities(pool, root, lang=lang)
    figures = await compute(reports, kind, period)
    files = await ActivityEnvironment().run(reports.write_files, figures)
    assert f"{kind.value}/{period}/report.html" in files
    return root / kind.value / period / "report.html"


class _Text(HTMLParser):
    """The text a reader sees: everything outside tags, <style> and <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def embedded_font(html: str) -> TTFont:
    found = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert found, "no embedded font in the report"
    return TTFont(io.BytesIO(base64.b64decode(found.group(1))))


async def test_the_monthly_report_in_chinese_has_figures_definitions_and_the_overdue_list(
    chinese_ledger, tmp_path
):
    path = await write_report(chinese_ledger, tmp_path, Lang.zh, AssessmentKind.monthly, "2026-11")

    html = path.read_text(encoding="utf-8")
    text = visible_text(html)
    assert f"<title>月考核 2026-11 — {ls.COUNTY}</title>" in html
    for name in HEADLINE:
        assert name in text
    assert "统计期 2026-11-01 00:00 至 2026-12-01 00:00" in text
    assert f"{ls.COUNTY}（县区）" in text
    # Haibei Street's row: received 8, response 50 %, mediation 75 %, first attempt 50 %.
    assert re.search(r"Haibei Street</td>\s*<td class=\"num\">8</td><td class=\"num\">50.0%", html)
    assert "指标口径" in text and "分子" in text and "分母" in text
    assert "受理后在响应时限内（24小时；红色风险2小时）首次联系申请人的案件数" in text
    assert "超期案件（2）" in text
    row = re.search(r"<tr><td class=\"id\">D</td>.*?</tr>", html).group(0)
    assert f"{TITLE}（D）" in row and HANDLER in row and "红色" in row and "网格" in row
    assert "日清清单" not in text  # the due-soon list is the daily run's
    assert html.count('<figure class="chart"') == 2  # one chart per township
    assert "<svg" in html and "响应率</text>" in html  # chart labels are text, not pixels
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert "https://" not in html
    # Every character a reader sees is in the embedded font.
    cmap = embedded_font(html).getBestCmap()
    assert {ch for ch in text if not ch.isspace()} - {chr(c) for c in cmap} == set()


async def test_the_daily_report_lists_the_cases_due_within_24_hours(chinese_ledger, tmp_path):
    path = await write_report(chinese_ledger, tmp_path, Lang.zh, AssessmentKind.daily, "2026-11-30")

    text = visible_text(path.read_text(encoding="utf-8"))
    assert "日清 2026-11-30" in text
    assert "日清清单：24小时内到期（1）" in text
    assert f"{TITLE}（I）" in text and "剩余小时" in text
    assert "未送达的通知（0）" in text


async def test_dispute_lang_en_gives_the_report_in_english(chinese_ledger, tmp_path):
    path = await write_report(chinese_ledger, tmp_path, Lang.en, AssessmentKind.monthly, "2026-11")

    html = path.read_text(encoding="utf-8")
    text = visible_text(html)
    assert f"<title>Monthly assessment 2026-11 — {ls.COUNTY}</title>" in html
    assert '<html lang="en">' in html
    for name in ("Response rate", "Mediation rate", "First-mediation success rate"):
        assert name in text
    assert "Overdue cases (2)" in text and "Numerator" in text and "red" in text
    assert "响应率" not in text
    # The Chinese case titles still render: the font is embedded whatever the language.
    assert {ord(ch) for ch in TITLE} <= set(embedded_font(html).getBestCmap())
    summary = (path.parent / "summary.md").read_text(encoding="utf-8")
    assert "## Definitions" in summary and "Printable report with charts" in summary


async def fonts_drawing(page, selector: str) -> list[dict]:
    """The fonts Chromium drew a node's text with (DevTools: CSS.getPlatformFontsForNode)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("DOM.enable")
    await cdp.send("CSS.enable")
    root = await cdp.send("DOM.getDocument", {"depth": -1})
    node = await cdp.send(
        "DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector}
    )
    assert node["nodeId"], f"no {selector} in the page"
    return (await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]}))["fonts"]


async def test_chromium_draws_the_chinese_with_the_embedded_font(chinese_ledger, tmp_path, browser):
    path = await write_report(chinese_ledger, tmp_path, Lang.zh, AssessmentKind.monthly, "2026-11")
    page = await browser.new_page(viewport={"width": 1200, "height": 900})

    await page.goto(path.as_uri())
    await page.evaluate("document.fonts.ready")

    loaded = await page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert [f.strip("'\"") for f in loaded] == [FAMILY]
    assert await page.evaluate(f"document.fonts.check('16px {FAMILY}', '响应率')")
    title = await page.text_content("#title")
    for selector, text in (("#title", title), ("#charts svg text:nth-of-type(2)", None)):
        fonts = await fonts_drawing(page, selector)
        # Every glyph from the embedded Noto Sans SC: none from a font of the machine's.
        assert fonts and all(f["isCustomFont"] for f in fonts), fonts
        assert {f["familyName"] for f in fonts} == {"Noto Sans SC"}
        if text is not None:
            assert sum(f["glyphCount"] for f in fonts) == len(text)
    # Distinct characters draw as distinct glyphs (a missing glyph draws one box for all).
    glyphs = await page.evaluate(
        """(family) => {
            const c = document.createElement('canvas'); c.width = 40; c.height = 40;
            const g = c.getContext('2d');
            return ['响', '应', '率'].map(ch => {
                g.clearRect(0, 0, 40, 40); g.font = `32px '${family}'`; g.fillText(ch, 2, 32);
                return c.toDataURL();
            });
        }""",
        FAMILY,
    )
    assert len(set(glyphs)) == 3
    shot = tmp_path / "report.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    # Printing: A4 pages, the tables and charts laid out by the print stylesheet.
    pdf = await page.pdf(prefer_css_page_size=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")


def test_a_chart_is_well_formed_svg_whatever_the_names(tmp_path):
    from xml.etree import ElementTree

    from activities.report_charts import township_svg
    from activities.report_texts import chart_rates
    from domain.metrics import Metrics

    fields = {name: 0 for name in Metrics.model_fields} | {"response_rate": 0.5}
    row = Metrics(**fields | {"period": "2026-11", "scope_level": "township", "as_of": ls.AS_OF,
                              "scope_unit": '海北<街道> & "东区"'})  # fmt: skip
    svg = township_svg(
        row, None, chart_rates(Lang.zh), title=row.scope_unit, county_label="", footer="&"
    )

    root = ElementTree.fromstring(svg)  # raises on a name that broke the markup
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == '海北<街道> & "东区"' and "响应率" in texts and "50.0%" in texts


def test_the_embedded_font_has_exactly_the_glyphs_asked_for_and_its_licence():
    from activities.report_font import subset_woff

    font = TTFont(io.BytesIO(subset_woff("漏水纠纷")))

    cmap = font.getBestCmap()
    assert {ord(c) for c in "漏水纠纷"} <= set(cmap) and ord("响") not in cmap
    assert font["name"].getDebugName(1) == "Noto Sans SC"
    assert "Open Font License" in font["name"].getDebugName(13)
