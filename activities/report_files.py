"""The files of an assessment: `metrics.csv`, `overdue.csv`, a PNG chart per township, a
`summary.md` and a printable `report.html`, under `<reports dir>/<kind>/<period>/`.

The CSV files keep English column names and machine values (the contract scripts read); the
summary, the charts and the HTML report speak the report's language (the worker's
`DISPUTE_LANG`, Chinese by default), their Chinese drawn with the Noto Sans SC the project
installs from PyPI (activities/report_font.py), never a font the machine happens to have.

Each file is written to a temporary name and renamed over the old one, so a reader (or a
retried activity) never sees half a file, and running an assessment again replaces its files.
Plain functions, no Temporal: `ReportActivities.write_files` calls them in a thread.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import quote

from activities.report_font import font_path
from activities.report_html import render_report, title_of
from activities.report_texts import (
    Figure,
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
from domain.metrics import DueCase, Metrics, cell, percent
from domain.periods import LOCAL_TZ, AssessmentKind
from texts import Lang
from texts.terms import label

#: Figure columns of metrics.csv, in the model's order (identity columns come first).
FIGURE_FIELDS = [
    name
    for name in Metrics.model_fields
    if name not in ("period", "scope_level", "scope_unit", "as_of")
]


def safe_name(name: str) -> str:
    """A unit name as a file name: kept as given (Chinese included) but never a path."""
    cleaned = name.replace("/", "_").replace("\\", "_").replace("\0", "").strip()
    return cleaned if cleaned and not cleaned.startswith(".") else f"_{cleaned}"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)  # atomic on one file system: readers see old or new, never half
    finally:
        tmp.unlink(missing_ok=True)


def local(moment) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def metrics_csv(figures: AssessmentFigures) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "period", "scope_level", "scope_unit", "as_of", *FIGURE_FIELDS])
    for m in figures.metrics:
        values = [getattr(m, name) for name in FIGURE_FIELDS]
        writer.writerow(
            [figures.kind.value, m.period, m.scope_level.value, m.scope_unit]
            + [m.as_of.astimezone(LOCAL_TZ).isoformat()]
            + ["" if v is None else v for v in values]
        )
    # With a BOM so that spreadsheet programs open the Chinese names as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def due_csv(due: list[DueCase]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    head = ["case_id", "county", "township", "village", "grid", "level", "status", "state"]
    writer.writerow([*head, "due_at", "hours"])
    for d in due:
        writer.writerow(
            [getattr(d, name) for name in head]
            + [d.due_at.astimezone(LOCAL_TZ).isoformat() if d.due_at else ""]
            + ["" if d.hours is None else d.hours]
        )
    return out.getvalue().encode("utf-8-sig")


def township_chart(row: Metrics, county: Metrics | None, title: str, lang: Lang = Lang.zh) -> bytes:
    """A bar per rate for the township, the county's value marked for comparison; its text in
    Noto Sans SC, loaded from the project's own font package."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a worker; set before anything draws
    from matplotlib import rc_context

    family = _chart_font()
    with rc_context({"font.family": "sans-serif", "font.sans-serif": [family, "DejaVu Sans"]}):
        return _draw_chart(row, county, title, chart_rates(lang), lang)


@cache
def _chart_font() -> str:
    """Noto Sans SC added to matplotlib's fonts once per process; its family name."""
    from matplotlib import font_manager

    path = str(font_path())
    font_manager.fontManager.addfont(path)  # appends: once, not once per chart
    return font_manager.FontProperties(fname=path).get_name()


def _draw_chart(
    row: Metrics, county: Metrics | None, title: str, rates: list[Figure], lang: Lang
) -> bytes:
    # The object API rather than pyplot: no global figure state, safe in a worker thread.
    from matplotlib.figure import Figure as Canvas

    labels = [f.name for f in rates]
    values = [getattr(row, f.field) for f in rates]
    fig = Canvas(figsize=(8, 4.5), dpi=100)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    ax.barh(positions, [(v or 0) * 100 for v in values], color="#4477aa", label=row.scope_unit)
    for y, value in zip(positions, values, strict=True):
        ax.text(1 if value is None else value * 100 + 1, y, percent(value), va="center")
    if county is not None:
        marks = [(y, getattr(county, f.field)) for y, f in zip(positions, rates, strict=True)]
        shown = [(y, v * 100) for y, v in marks if v is not None]
        if shown:
            ax.scatter(
                [v for _, v in shown],
                [y for y, _ in shown],
                marker="|",
                s=400,
                color="#cc3311",
                label=unit_name(county, lang),
            )
        # Above the plot: a bar near 100 % would hide under a legend inside it.
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xlabel("%")
    fig.suptitle(title)
    fig.text(0.01, 0.01, chart_footer(row, lang), fontsize="small")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _md(text: object) -> str:
    return str(text).replace("|", "\\|")


def _due_table(due: Sequence[DueCase | CampaignCase], hours_header: str, lang: Lang) -> list[str]:
    _ = report_texts(lang)
    if not due:
        return [_("None.")]
    heads = [_("Case"), _("Title"), _("Place"), _("Level"), _("Status"), _("Handler")]
    heads += [_("Risk"), _("Due (UTC+8)"), hours_header]
    lines = ["| " + " | ".join(heads) + " |", "| --- " * (len(heads) - 1) + "| ---: |"]
    for d in due:
        hours = "—" if d.hours is None else f"{d.hours:g}"
        due_at = local(d.due_at) or "—"  # under supervision there is no due time left
        place = " / ".join(p for p in (d.township, d.village, d.grid) if p)
        cells = [d.case_id, d.title or "—", place, label("level", d.level, lang)]
        cells += [label("status", d.status, lang), d.handler or "—"]
        cells += [label("risk", d.risk, lang) if d.risk else "—", due_at]
        lines.append("| " + " | ".join(_md(c) for c in cells) + f" | {hours} |")
    return lines


def _campaigns(figures: AssessmentFigures, lang: Lang) -> list[str]:
    """Daily: each campaign window's cases still open (专项行动清单), until they are cleared."""
    _ = report_texts(lang)
    lines: list[str] = []
    for title, cases in by_campaign(figures.campaigns):
        lines += [
            "## " + _("Campaign {title}: open cases ({n})").format(title=title, n=len(cases)),
            "",
            *_due_table(cases, _("Hours left"), lang),
            "",
        ]
    return lines


def _dead_notifications(figures: AssessmentFigures, lang: Lang) -> list[str]:
    """The notifications no channel delivered: someone must reach these people another way."""
    _ = report_texts(lang)
    dead = figures.dead_notifications
    lines = ["## " + _("Notifications not delivered ({n})").format(n=len(dead)), ""]
    if not dead:
        return [*lines, _("None."), ""]
    heads = [_("Id"), _("Case"), _("Seq"), _("Event"), _("To"), _("Dead since (UTC+8)")]
    heads += [_("Attempts"), _("Last error")]
    lines += [
        _("Re-queue with `starter.py notifications retry ID` once the channel works again."),
        "",
        "| " + " | ".join(heads) + " |",
        "| ---: | --- | ---: | --- | --- | --- | ---: | --- |",
    ]
    for n in dead:
        to = f"{n.recipient_role}@{n.recipient_unit}" + (
            f" ({n.recipient_name})" if n.recipient_name else ""
        )
        cells = [n.case_id, n.seq, n.kind or "", to, local(n.dead_at), n.attempts]
        error = _md((n.last_error or "")[:80])
        lines.append(f"| {n.id} | " + " | ".join(_md(c) for c in cells) + f" | {error} |")
    return [*lines, ""]


def _recurring(figures: AssessmentFigures, lang: Lang) -> list[str]:
    """Monthly: the (type, place) pairs that keep coming back, to pick a problem of the month."""
    if figures.kind is not AssessmentKind.monthly:
        return []
    _ = report_texts(lang)
    lines = ["## " + _("Recurring problems (problem of the month)"), ""]
    rows = recurring_rows(figures, lang)
    if not rows:
        return [*lines, _("None."), ""]
    lines += [
        f"| {_('Dispute type')} | {_('Place')} | {_('Cases')} | {_('Repeats')} |",
        "| --- | --- | ---: | ---: |",
    ]
    lines += [f"| {_md(t)} | {_md(p)} | {n} | {r} |" for t, p, n, r in rows]
    return [*lines, ""]


def _duties(figures: AssessmentFigures, lang: Lang) -> list[str]:
    cells = duty_cells(figures, lang)
    if not cells:
        return []
    _ = report_texts(lang)
    lines = ["## " + _("Report duties (zero reports)"), "", "| | |", "| --- | ---: |"]
    lines += [f"| {_md(name)} | {value} |" for name, value in cells]
    return [*lines, ""]


def _definitions(lang: Lang) -> list[str]:
    _ = report_texts(lang)
    lines = ["## " + _("Definitions"), ""]
    for d in definitions(lang):
        lines.append(
            _("- **{name}**: {numerator} ÷ {denominator}; counted in {period}.").format(
                name=d.name, numerator=d.numerator, denominator=d.denominator, period=d.period
            )
        )
    lines += [
        "",
        _("Exact definitions: docs/metrics.md in the dispute engine. “—” means no cases to rate."),
        "",
    ]
    return lines


def summary_md(figures: AssessmentFigures, charts: dict[str, str], lang: Lang = Lang.zh) -> bytes:
    _ = report_texts(lang)
    period = figures.period
    columns = figures_of(figures.metrics, lang)
    lines = [
        f"# {title_of(figures, lang)}",
        "",
        _("Period {start} to {end} (UTC+8, end excluded); overdue as of {as_of}.").format(
            start=local(period.start), end=local(period.end), as_of=local(figures.as_of)
        ),
        "",
        "## " + _("Figures"),
        "",
        f"| {_('Unit')} | " + " | ".join(_md(c.name) for c in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for m in figures.metrics:
        cells = " | ".join(cell(m, c.field, c.is_rate) for c in columns)
        lines.append(f"| {_md(unit_name(m, lang))} | {cells} |")
    for table in more_tables(lang):
        lines += [
            "",
            "## " + table.heading,
            "",
            f"| {_('Unit')} | " + " | ".join(_md(c.name) for c in table.figures) + " |",
            "| --- |" + " ---: |" * len(table.figures),
        ]
        for m in figures.metrics:
            cells = " | ".join(cell(m, c.field, c.is_rate) for c in table.figures)
            lines.append(f"| {_md(unit_name(m, lang))} | {cells} |")
    lines += ["", *_duties(figures, lang), *_recurring(figures, lang), *_definitions(lang)]
    overdue = [d for d in figures.due if d.state == "overdue"]
    lines += [
        "## " + _("Overdue cases ({n})").format(n=len(overdue)),
        "",
        *_due_table(overdue, _("Hours overdue"), lang),
        "",
    ]
    if figures.kind is AssessmentKind.daily:
        soon = [d for d in figures.due if d.state == "due_soon"]
        lines += [
            "## " + _("Clearance list: due within 24 hours ({n})").format(n=len(soon)),
            "",
            _("Hours left before the due time (daily clearance: nothing waits overnight)."),
            "",
            *_due_table(soon, _("Hours left"), lang),
            "",
            *_campaigns(figures, lang),
            *_dead_notifications(figures, lang),
        ]
    lines += [_("Printable report with charts: [report.html](report.html)"), ""]
    if charts:
        lines += ["## " + _("Charts"), ""]
        lines += [f"![{_md(unit)}]({quote(name)})" for unit, name in charts.items()]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def write_assessment_files(
    figures: AssessmentFigures, root: Path, lang: Lang = Lang.zh
) -> list[str]:
    """Write every file of the assessment in `lang`; returns their paths relative to `root`."""
    folder = root / figures.kind.value / figures.period.label
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        write_atomically(folder / name, data)
        written.append(folder / name)

    put("metrics.csv", metrics_csv(figures))
    put("overdue.csv", due_csv(figures.due))
    county = county_to_compare(figures)
    charts: dict[str, str] = {}
    for m in figures.metrics:
        if m.scope_level.value != "township":
            continue
        name = f"{safe_name(m.scope_unit)}.png"
        put(name, township_chart(m, county, chart_title(m, figures, lang), lang))
        charts[m.scope_unit] = name
    put("summary.md", summary_md(figures, charts, lang))
    put("report.html", render_report(figures, lang).encode("utf-8"))
    return [str(path.relative_to(root)) for path in written]
