"""The report's Chinese font: Noto Sans SC from a pinned PyPI package, never the machine's.

A report is read on machines we do not know (a county office's PC, a phone, a printer's
driver), so the HTML file carries its own font: the glyphs of exactly the characters it shows,
cut out of Noto Sans SC with fontTools and embedded as a base64 WOFF `@font-face`. A monthly
report of a county uses a few hundred distinct characters: some tens of kilobytes. The PNG
charts draw with the same font file, handed to matplotlib by path.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from importlib.resources import files
from pathlib import Path

#: The `font-family` name the report's CSS and SVG charts use for the embedded font.
FAMILY = "ReportCJK"
#: The distribution that ships the font (pyproject.toml pins it) and the file in it.
PACKAGE = "pylopdf_fonts_zh_cn"
FILE = "NotoSansSC-Regular.otf"
#: Always in the subset, whatever the report says: digits, Latin letters and the punctuation
#: the tables use, so a figure typed into the page later still renders in the same face.
BASE_TEXT = "".join(chr(c) for c in range(0x20, 0x7F)) + "—–·…：，、（）％“”‘’。；"


@cache
def font_path() -> Path:
    """Noto Sans SC's file in the installed package; a clear error when it is missing."""
    path = Path(str(files(PACKAGE) / FILE))
    if not path.is_file():
        raise FileNotFoundError(
            f"the report font {FILE} is missing from the package {PACKAGE} ({path}): "
            "reinstall the project (`make install`)"
        )
    return path


def subset_woff(text: str) -> bytes:
    """A WOFF font with the glyphs of `text` (and BASE_TEXT), from Noto Sans SC."""
    # fontTools is imported here: only the report writer needs it.
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib: no extra compressor to install, about half the raw size
    options.layout_features = ["*"]  # keep kerning and the CJK punctuation forms
    options.name_IDs = ["*"]  # keep the copyright and licence records (SIL OFL 1.1)
    options.name_legacy = True
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = subset.load_font(str(font_path()), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + BASE_TEXT))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def font_face_css(text: str) -> str:
    """The `@font-face` rule embedding the subset for `text` as a data URL."""
    data = base64.b64encode(subset_woff(text)).decode("ascii")
    return (
        f"@font-face {{ font-family: '{FAMILY}'; font-style: normal; font-weight: 400; "
        f"src: url(data:font/woff;base64,{data}) format('woff'); }}"
    )
