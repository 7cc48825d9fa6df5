"""Who holds which role for a case: the people and units a step tells or asks about.

A part of CaseWorkflow's context. The handler of the level the case is at, the supervisor of
the unit above, the county, the township's police station, the parties, and the holder the
pure checks reason about. It only reads the case's file; it records nothing. Deterministic.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import case_checks
    from domain.authority import Holder
    from domain.case_models import CaseFile, CaseStart
    from domain.ladder import Level, next_level
    from ledger.rows import Recipient


class Directory:
    """The case's recipients, from its file as it stands."""

    def __init__(self, start: CaseStart, file: CaseFile) -> None:
        self.start, self.file = start, file

    def supervisor_above(self, level: Level | None = None) -> Recipient:
        """The supervisor of the unit above `level` (the county's own at the top)."""
        level = level or self.file.level
        above = next_level(level) or level
        return Recipient(role="supervisor", unit=self.file.units[above])

    def county(self) -> Recipient:
        return self.supervisor_above(Level.county)

    def handler(self) -> Recipient:
        f = self.file
        return Recipient(
            role=f.assignee.role if f.assignee else "handler",
            unit=f.units[f.level],
            name=f.assignee.name if f.assignee else None,
        )

    def parties(self) -> list[Recipient]:
        return [
            Recipient(role=p.role.value, unit="party", name=p.name)
            for p in self.start.intake.parties
        ]

    def police(self) -> list[Recipient]:
        """The township's police station, when the case is in mediation (Art. 25)."""
        if self.file.mediation is None:
            return []
        return [self.police_station()]

    def police_station(self) -> Recipient:
        return Recipient(role="police_station", unit=self.file.units[Level.township])

    def holder(self) -> Holder:
        """Who holds the case now, as the checks see it (its level, unit and handler)."""
        return case_checks.holder(self.file, self.start)
