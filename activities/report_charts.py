"""A township's chart as SVG: a bar per rate, the county's value marked beside it.

Drawn by hand rather than with matplotlib so that the labels stay text: the HTML report
inlines the SVG and its embedded font draws them, the printer gets vectors, and a reader can
select and search the names. Pure: strings in, a string out.
"""

from __future__ import annotations

from html import escape

from activities.report_font import FAMILY
from activities.report_texts import Figure
from domain.metrics import Metrics, percent

WIDTH = 640
LABEL_WIDTH = 200
BAR_WIDTH = 340  # 100 %
ROW = 30
TOP = 40
BOTTOM = 60
BAR = "#4477aa"
MARK = "#cc3311"


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(content)}</text>'


def township_svg(
    row: Metrics,
    county: Metrics | None,
    rates: list[Figure],
    *,
    title: str,
    county_label: str,
    footer: str,
) -> str:
    """The chart of one township; `county_label` names the county's mark in the legend."""
    height = TOP + ROW * len(rates) + BOTTOM
    x0 = LABEL_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="\'{FAMILY}\', sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        _text(0, 20, title, font_size="15", font_weight="bold"),
        # the axis: 0 %, 50 %, 100 %
        *(
            f'<line x1="{x0 + BAR_WIDTH * p / 100:g}" y1="{TOP - 6}" '
            f'x2="{x0 + BAR_WIDTH * p / 100:g}" y2="{TOP + ROW * len(rates)}" '
            f'stroke="#bbbbbb" stroke-width="0.5"/>'
            for p in (0, 50, 100)
        ),
    ]
    for i, figure in enumerate(rates):
        y = TOP + ROW * i
        value = getattr(row, figure.field)
        parts.append(_text(x0 - 8, y + 19, figure.name, text_anchor="end"))
        length = BAR_WIDTH * (value or 0)
        parts.append(
            f'<rect x="{x0}" y="{y + 6}" width="{length:.1f}" height="{ROW - 12}" fill="{BAR}"/>'
        )
        parts.append(_text(x0 + length + 6, y + 19, percent(value)))
        reference = getattr(county, figure.field) if county is not None else None
        if reference is not None:
            x = x0 + BAR_WIDTH * reference
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 2}" x2="{x:.1f}" y2="{y + ROW - 2}" '
                f'stroke="{MARK}" stroke-width="3"/>'
            )
    bottom = TOP + ROW * len(rates)
    legend_y = bottom + 22
    parts += [
        f'<rect x="0" y="{legend_y - 10}" width="12" height="12" fill="{BAR}"/>',
        _text(18, legend_y, row.scope_unit),
    ]
    if county is not None:
        parts += [
            f'<line x1="{x0 + 40}" y1="{legend_y - 11}" x2="{x0 + 40}" y2="{legend_y + 3}" '
            f'stroke="{MARK}" stroke-width="3"/>',
            _text(x0 + 48, legend_y, county_label),
        ]
    parts.append(_text(0, legend_y + 24, footer, fill="#555555", font_size="12"))
    parts.append("</svg>")
    return "\n".join(parts)
