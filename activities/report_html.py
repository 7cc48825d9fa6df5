"""`report.html`: the assessment as one self-contained page a county office opens and prints.

Title and period, the figures of every township against the county (the disputes', then the
信访 matters', the tracks' and the days per track), each figure's definition,
the overdue list and (daily) the clearance list with title, handler and risk, and a chart per
township as inline SVG. One file, nothing fetched: the CSS is inline and the Chinese font is a
subset of Noto Sans SC embedded as a data URL (activities/report_font.py), so it renders the
same on a machine with no CJK font at all. Rendered with Jinja2 (template in
activities/templates/report.html), its words from the `report` catalog in the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from activities.report_charts import township_svg
from activities.report_font import FAMILY, font_face_css
from activities.report_texts import (
    chart_footer,
    chart_rates,
    chart_title,
    county_to_compare,
    definitions,
    duty_cells,
    figures_of,
    more_tables,
    recurring_rows,
    report_texts,
    unit_name,
)
from domain.assessment_models import AssessmentFigures
from domain.campaign_list import CampaignCase, by_campaign
from domain.metrics import DueCase, cell
from domain.periods import AssessmentKind
from texts import Lang
from texts.terms import label, local_time

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html"


@cache
def environment(lang: Lang) -> Environment:
    """Jinja2 with the `report` catalog of `lang` installed for `_()` and `{% trans %}`."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # `trimmed` as texts/catalogs.py extracts them, so the msgids match.
    env.policies["ext.i18n.trimmed"] = True
    _ = report_texts(lang)
    env.install_gettext_callables(_.gettext, _.ngettext, newstyle=True, pgettext=_.pgettext)
    return env


@dataclass(frozen=True)
class DueLine:
    """A row of the overdue or clearance list, its machine values named for people."""

    case_id: str
    title: str
    place: str
    level: str
    status: str
    handler: str
    risk: str
    risk_class: str
    due_at: str
    hours: str


def _due_line(d: DueCase | CampaignCase, lang: Lang) -> DueLine:
    risk = d.risk or ""
    return DueLine(
        case_id=d.case_id,
        title=d.title or "—",
        place=" / ".join(p for p in (d.township, d.village, d.grid) if p),
        level=label("level", d.level, lang),
        status=label("status", d.status, lang),
        handler=d.handler or "—",
        risk=label("risk", risk, lang) if risk else "—",
        risk_class=risk if risk in ("red", "yellow", "green") else "",
        due_at=local_time(d.due_at, lang) if d.due_at else "—",
        hours="—" if d.hours is None else f"{d.hours:g}",
    )


def title_of(figures: AssessmentFigures, lang: Lang) -> str:
    """'月考核 2026-11 — 海博湾区' / 'monthly 2026-11 — …': the report's title."""
    _ = report_texts(lang)
    counties = sorted({m.scope_unit for m in figures.metrics if m.scope_level.value == "county"})
    title = _("{kind} assessment {period}").format(
        kind=label("period", figures.kind.value, lang), period=figures.period.label
    )
    title = title[:1].upper() + title[1:]  # "Monthly assessment …"; Chinese unchanged
    return title + (f" — {'、'.join(counties)}" if counties else "")


def charts(figures: AssessmentFigures, lang: Lang) -> dict[str, str]:
    """Each township's SVG chart, by township (compared with the county when there is one)."""
    county = county_to_compare(figures)
    rates = chart_rates(lang)
    return {
        m.scope_unit: township_svg(
            m,
            county,
            rates,
            title=chart_title(m, figures, lang),
            county_label=unit_name(county, lang) if county is not None else "",
            footer=chart_footer(m, lang),
        )
        for m in figures.metrics
        if m.scope_level.value == "township"
    }


def render_report(figures: AssessmentFigures, lang: Lang) -> str:
    """The report as an HTML document with its font and charts inside."""
    columns = figures_of(figures.metrics, lang)
    rows = [
        (unit_name(m, lang), m.scope_level.value, [cell(m, c.field, c.is_rate) for c in columns])
        for m in figures.metrics
    ]
    more = [
        (
            table.heading,
            table.figures,
            [
                (unit_name(m, lang), m.scope_level.value,
                 [cell(m, c.field, c.is_rate) for c in table.figures])
                for m in figures.metrics
            ],
        )
        for table in more_tables(lang)
    ]  # fmt: skip
    daily = figures.kind is AssessmentKind.daily
    overdue = [_due_line(d, lang) for d in figures.due if d.state == "overdue"]
    soon = [_due_line(d, lang) for d in figures.due if d.state == "due_soon"]
    svgs = charts(figures, lang)
    page = dict(
        lang=lang.value,
        html_lang="zh-CN" if lang is Lang.zh else "en",
        family=FAMILY,
        title=title_of(figures, lang),
        period_start=local_time(figures.period.start, lang),
        period_end=local_time(figures.period.end, lang),
        as_of=local_time(figures.as_of, lang),
        columns=columns,
        rows=rows,
        more=more,
        definitions=definitions(lang),
        duties=duty_cells(figures, lang),
        monthly=figures.kind is AssessmentKind.monthly,
        recurring=recurring_rows(figures, lang),
        overdue=overdue,
        daily=daily,
        soon=soon,
        campaigns=[
            (title, [_due_line(c, lang) for c in cases])
            for title, cases in by_campaign(figures.campaigns)
        ],
        dead=[
            dict(
                id=n.id,
                case_id=n.case_id,
                to=f"{n.recipient_role}@{n.recipient_unit}"
                + (f" ({n.recipient_name})" if n.recipient_name else ""),
                dead_at=local_time(n.dead_at, lang),
                attempts=n.attempts,
                error=(n.last_error or "")[:80],
            )
            for n in figures.dead_notifications
        ],
        charts={unit: Markup(svg) for unit, svg in svgs.items()},  # built escaped
    )
    body = environment(lang).get_template(TEMPLATE).render(**page, font_css=Markup(""))
    # The font is cut to the characters the page shows, so render once, then embed it.
    font = Markup(font_face_css(_visible_text(body)))  # base64 and fixed text
    return environment(lang).get_template(TEMPLATE).render(**page, font_css=font)


def _visible_text(html: str) -> str:
    """Every character the page can show (tags and all: a few extra Latin letters are free)."""
    return "".join(sorted(set(html)))
