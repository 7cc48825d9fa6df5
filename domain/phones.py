"""Phone numbers as intake takes them: a mainland mobile (1[3-9] and 9 more digits), or a
landline with its area code (0 and 2-3 digits, then 7-8 digits, an extension allowed).
Spaces, hyphens and brackets are how people write them; +86 or 86 in front is the country.
Pure."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")
_WRITTEN = re.compile(r"[\s\-()（）]")
_EXTENSION = re.compile(r"(转|ext\.?|x)\s*\d{1,6}$", re.IGNORECASE)


def digits(text: str) -> str:
    """The number's digits, without the country code and an extension."""
    bare = _WRITTEN.sub("", _EXTENSION.sub("", text.strip()))
    for country in ("+86", "0086", "86"):
        if bare.startswith(country) and len(bare) - len(country) >= 10:
            return bare[len(country) :]
    return bare


def is_phone(text: str) -> bool:
    number = digits(text)
    return bool(_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number))
