"""Text laid out for a terminal: aligned columns, where a Chinese character takes two.

A terminal draws East Asian wide and full-width characters (汉字, full-width punctuation) in
two cells, so padding by `len()` misaligns every column holding Chinese. Pure functions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"


def width(text: str) -> int:
    """The cells `text` takes on a terminal: two for a wide or full-width character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, cells: int) -> str:
    """`text` cut to at most `cells` cells, ending in '…' when cut."""
    if width(text) <= cells:
        return text
    out, used = [], width(ELLIPSIS)
    for ch in text:
        used += width(ch)
        if used > cells:
            break
        out.append(ch)
    return "".join(out) + ELLIPSIS


def pad(text: str, cells: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `cells` cells (on the left when `right`)."""
    gap = " " * max(0, cells - width(text))
    return gap + text if right else text + gap


def table(head: Sequence[str], rows: Sequence[Sequence[str]], *, gap: str = "  ") -> list[str]:
    """The rows under their head, each column as wide as its widest cell; the last column is
    not padded (no trailing spaces)."""
    widths = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    last = len(head) - 1

    def line(cells: Sequence[str]) -> str:
        return gap.join(c if i == last else pad(c, widths[i]) for i, c in enumerate(cells))

    return [line(head), *(line(r) for r in rows)]
