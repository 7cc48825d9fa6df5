"""The files of an assessment: `metrics.csv`, `overdue.csv`, a PNG chart per township and a
printable `summary.md`, under `<reports dir>/<kind>/<period>/`.

Each file is written to a temporary name and renamed over the old one, so a reader (or a
retried activity) never sees half a file, and running an assessment again replaces its files.
Plain functions, no Temporal: `ReportActivities.write_files` calls them in a thread.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from pathlib import Path
from urllib.parse import quote

from domain.assessment_models import AssessmentFigures
from domain.metrics import COLUMNS, DueCase, Metrics, cell, columns_for, percent
from domain.periods import LOCAL_TZ, AssessmentKind

#: Figure columns of metrics.csv, in the model's order (identity columns come first).
FIGURE_FIELDS = [
    name
    for name in Metrics.model_fields
    if name not in ("period", "scope_level", "scope_unit", "as_of")
]
#: The rates a township's chart shows, with their labels.
CHART_RATES = [(header, name) for header, name, is_rate in COLUMNS if is_rate]

DEFINITIONS = """\
- **received**: cases opened in the period.
- **response** (响应率): share of cases received whose handler first contacted the applicant
  within the response window (24 h; red cases 2 h).
- **mediated** (调解率): share of cases received that a mediator took up (contact or an outcome).
- **1st attempt** (首调成功率): of the cases whose first attempt (first level and track) ended
  in the period, the share it resolved; failed first attempts count, withdrawals do not.
- **success** (调解成功率): of the cases whose mediation concluded in the period (an agreement,
  or referred after the last track), the share resolved, counted when the agreement was reached;
  **withdrawn**: cases withdrawn in the period (neither success nor failure).
- **resolved**: resolutions in the period; **grid+village**: the share made at the grid or
  village (小事不出村居).
- **solved** (解决率) / **satisfied** (满意率): per case, on its first satisfaction visit that
  reached the applicant: answered "solved" / "satisfied or basically satisfied".
- **on time**: share of level stints ended in the period before their deadline (a failure
  before the deadline is on time; paused time does not count).
- **reopened**: reopenings per resolution; **paused h**: hours of stopped clock;
  **overdue**: open cases past due now. Monthly: the same month a year ago (**yr ago**).

Exact definitions: docs/metrics.md in the dispute engine. "—" means no cases to rate.
"""


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


#: Fonts with Chinese glyphs, used first when the machine has one (names as given otherwise
#: draw as boxes in the default font, with a warning: legible enough for a Latin-named unit).
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")


def township_chart(row: Metrics, county: Metrics | None, title: str) -> bytes:
    """A bar per rate for the township, the county's value marked for comparison."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a worker; set before anything draws
    from matplotlib import font_manager, rc_context

    installed = {f.name for f in font_manager.fontManager.ttflist}
    fonts = [name for name in CJK_FONTS if name in installed] + ["DejaVu Sans"]
    with rc_context({"font.family": "sans-serif", "font.sans-serif": fonts}):
        return _draw_chart(row, county, title)


def _draw_chart(row: Metrics, county: Metrics | None, title: str) -> bytes:
    # The object API rather than pyplot: no global figure state, safe in a worker thread.
    from matplotlib.figure import Figure

    labels = [header for header, _ in CHART_RATES]
    values = [getattr(row, name) for _, name in CHART_RATES]
    fig = Figure(figsize=(8, 4.5), dpi=100)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    ax.barh(positions, [(v or 0) * 100 for v in values], color="#4477aa", label=row.scope_unit)
    for y, value in zip(positions, values, strict=True):
        ax.text(1 if value is None else value * 100 + 1, y, percent(value), va="center")
    if county is not None:
        marks = [(y, getattr(county, n)) for y, (_, n) in zip(positions, CHART_RATES, strict=True)]
        shown = [(y, v * 100) for y, v in marks if v is not None]
        if shown:
            ax.scatter(
                [v for _, v in shown],
                [y for y, _ in shown],
                marker="|",
                s=400,
                color="#cc3311",
                label=f"{county.scope_unit} (county)",
            )
        ax.legend(loc="lower right", fontsize="small")
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xlabel("%")
    ax.set_title(title)
    fig.text(
        0.01,
        0.01,
        f"received {row.received} · resolved {row.resolved} · withdrawn {row.withdrawn}"
        f" · overdue {row.overdue} · paused {row.paused_hours:g} h",
        fontsize="small",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _md(text: object) -> str:
    return str(text).replace("|", "\\|")


def _due_table(due: list[DueCase], hours_header: str) -> list[str]:
    if not due:
        return ["None."]
    lines = [
        f"| case | township | village | grid | level | status | due (UTC+8) | {hours_header} |",
        "| --- | --- | --- | --- | --- | --- | --- | ---: |",
    ]
    for d in due:
        hours = "—" if d.hours is None else f"{d.hours:g}"
        due_at = local(d.due_at) or "—"  # under supervision there is no due time left
        cells = [d.case_id, d.township, d.village, d.grid, d.level, d.status, due_at]
        lines.append("| " + " | ".join(_md(c) for c in cells) + f" | {hours} |")
    return lines


def summary_md(figures: AssessmentFigures, charts: dict[str, str]) -> bytes:
    period = figures.period
    counties = sorted({m.scope_unit for m in figures.metrics if m.scope_level.value == "county"})
    columns = columns_for(figures.metrics)
    lines = [
        f"# {figures.kind.value.capitalize()} assessment {period.label}"
        + (f" — {', '.join(counties)}" if counties else ""),
        "",
        f"Period {local(period.start)} to {local(period.end)} (UTC+8, end excluded); "
        f"overdue as of {local(figures.as_of)}.",
        "",
        "## Figures",
        "",
        "| unit | " + " | ".join(header for header, _, _ in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for m in figures.metrics:
        unit = _md(m.scope_unit) + (" (county)" if m.scope_level.value == "county" else "")
        lines.append(f"| {unit} | " + " | ".join(cell(m, name, r) for _, name, r in columns) + " |")
    lines += ["", DEFINITIONS]
    overdue = [d for d in figures.due if d.state == "overdue"]
    lines += [f"## Overdue cases ({len(overdue)})", "", *_due_table(overdue, "hours overdue"), ""]
    if figures.kind is AssessmentKind.daily:
        soon = [d for d in figures.due if d.state == "due_soon"]
        lines += [
            f"## Clearance list: due within 24 hours ({len(soon)})",
            "",
            "Hours left before the due time (日清: nothing waits overnight).",
            "",
            *_due_table(soon, "hours left"),
            "",
        ]
    if charts:
        lines += ["## Charts", ""]
        lines += [f"![{_md(unit)}]({quote(name)})" for unit, name in charts.items()]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def write_assessment_files(figures: AssessmentFigures, root: Path) -> list[str]:
    """Write every file of the assessment; returns their paths relative to `root`."""
    folder = root / figures.kind.value / figures.period.label
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        write_atomically(folder / name, data)
        written.append(folder / name)

    put("metrics.csv", metrics_csv(figures))
    put("overdue.csv", due_csv(figures.due))
    county_rows = {m.scope_unit: m for m in figures.metrics if m.scope_level.value == "county"}
    # With one county (the usual deployment) every township is compared with it.
    county = next(iter(county_rows.values())) if len(county_rows) == 1 else None
    charts: dict[str, str] = {}
    for m in figures.metrics:
        if m.scope_level.value != "township":
            continue
        name = f"{safe_name(m.scope_unit)}.png"
        title = f"{m.scope_unit} — {figures.kind.value} {figures.period.label}"
        put(name, township_chart(m, county, title))
        charts[m.scope_unit] = name
    put("summary.md", summary_md(figures, charts))
    return [str(path.relative_to(root)) for path in written]
