"""The daily clearing list of a campaign window (专项行动清单): every case still on the ladder
that entered the campaign, under supervision first, then by how soon it is due.

Pure: the ledger reads the rows (ledger/campaigns.py), the report shows the list; `as_of` is
the report's time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel


class CampaignCase(BaseModel):
    """A row of a campaign's clearing list; the place and clock columns are the clearance
    list's (`DueCase`), so the report shows both alike."""

    campaign: str
    #: The campaign's name for people (e.g. 根治欠薪冬季专项行动), as the case recorded it.
    campaign_title: str
    case_id: str
    county: str
    township: str
    village: str
    grid: str
    level: str
    status: str
    due_at: datetime | None
    #: Hours left before the due time (negative: overdue); None without one (supervised).
    hours: float | None = None
    title: str | None = None
    risk: str | None = None
    handler: str | None = None


def by_campaign(cases: Iterable[CampaignCase]) -> list[tuple[str, list[CampaignCase]]]:
    """The list cut by campaign, each under its name for people, in the list's order."""
    groups: dict[str, list[CampaignCase]] = {}
    for case in cases:
        groups.setdefault(case.campaign_title, []).append(case)
    return list(groups.items())


def clearing_list(rows: Iterable[dict], as_of: datetime) -> list[CampaignCase]:
    """The rows as a list: by campaign, supervised cases first, then soonest due, then id."""
    cases = []
    for row in rows:
        due = row.get("due_at")
        hours = None if due is None else round((due - as_of).total_seconds() / 3600, 1)
        cases.append(CampaignCase(**row, hours=hours))
    cases.sort(
        key=lambda c: (
            c.campaign,
            c.status != "supervised",
            c.hours is None,
            c.hours or 0.0,
            c.case_id,
        )
    )
    return cases
