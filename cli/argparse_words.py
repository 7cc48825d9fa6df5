"""argparse's own words (usage, options, "the following arguments are required") in the
process's language: argparse looks its messages up through its module's `_` at the moment it
speaks, so `speak` puts the cli catalog's translation of each word listed here in its place."""

from __future__ import annotations

import argparse

from texts import N_, Lang, texts

#: argparse's messages (Python 3.11's wording) that people meet.
WORDS = frozenset(
    {
        N_("usage: "),
        N_("positional arguments"),
        N_("options"),
        N_("show this help message and exit"),
        N_("the following arguments are required: %s"),
        N_("argument %(argument_name)s: %(message)s"),
        N_("invalid choice: %(value)r (choose from %(choices)s)"),
        N_("unrecognized arguments: %s"),
        N_("%(prog)s: error: %(message)s\n"),
        N_("expected one argument"),
        N_("expected at least one argument"),
        N_("expected at most one argument"),
        N_("invalid %(type)s value: %(value)r"),
        N_("ambiguous option: %(option)s could match %(matches)s"),
        N_("one of the arguments %s is required"),
        N_("not allowed with argument %s"),
        N_("ignored explicit argument %r"),
    }
)


def speak(lang: Lang | str) -> None:
    """argparse's words in `lang` from now on, for this process."""
    words = texts("cli", lang)
    argparse._ = lambda message: words(message) if message in WORDS else message  # type: ignore[attr-defined]
