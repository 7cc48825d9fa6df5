"""What Temporal's Web UI shows of a case from the moment it starts: the one-line summary and
the static details, both built from the intake alone (the starter sets them with the start, so
the case is named in the UI before a worker has picked it up). No party's name, phone or id
number: the summary is indexed.
"""

from __future__ import annotations

from domain.intake_models import CaseIntake
from texts import Lang, texts
from texts.terms import label


def start_summary(intake: CaseIntake, lang: Lang) -> str:
    """The one-line summary the Web UI shows for the case (no party names: it is indexed)."""
    loc = intake.location
    kind = f"{label('dispute_type', intake.dispute_type, lang)}/"
    kind += label("complexity", intake.complexity, lang)
    # A grid's full name often begins with its village's (钻石广场社区第七网格): say it once.
    places = [loc.township, loc.village, loc.grid]
    if loc.grid.startswith(loc.village):
        places.remove(loc.village)
    return f"[{kind}] {intake.title} — {' · '.join(places)}"


def start_details(intake: CaseIntake, lang: Lang) -> str:
    """The case's static details in the Web UI: what it is, where, who reported it."""
    _ = texts("case", lang)
    loc = intake.location
    flags = _(", ").join(label("risk_flag", x, lang) for x in intake.risk_flags) or _("none")
    return "\n".join(
        [
            f"**{intake.title}**",
            "",
            _("- type: {dispute_type}, complexity: {complexity}").format(
                dispute_type=label("dispute_type", intake.dispute_type, lang),
                complexity=label("complexity", intake.complexity, lang),
            ),
            _("- where: {county} / {township} / {village} / grid {grid}").format(
                county=loc.county, township=loc.township, village=loc.village, grid=loc.grid
            ),
            _("- reported: {at}").format(at=f"{intake.reported_at:%Y-%m-%d %H:%M %z}"),
            _("- reported by: {reporter}").format(
                reporter=label("reporter", intake.reported_by.role, lang)
            ),
            _("- risk flags: {flags}").format(flags=flags),
        ]
    )
