"""Reads for campaign windows: the cases still on the ladder that entered a campaign (their
`campaign_entered` events), for the daily report's clearing list."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.campaign_list import CampaignCase, clearing_list
from domain.lifecycle import ON_THE_LADDER

_OPEN_IN_CAMPAIGNS = """
SELECT DISTINCT ON (c.case_id, e.data ->> 'campaign')
       e.data ->> 'campaign' AS campaign,
       coalesce(e.data ->> 'title', e.data ->> 'campaign') AS campaign_title,
       c.case_id, c.county, c.township, c.village, c.grid, c.level, c.status, c.due_at
  FROM case_events e
  JOIN cases c ON c.case_id = e.case_id
 WHERE e.kind = 'campaign_entered' AND e.at <= $1 AND c.status = ANY($2::text[])
 ORDER BY c.case_id, e.data ->> 'campaign', e.seq
"""


async def open_in_campaigns(
    conn: asyncpg.Connection | asyncpg.Pool, as_of: datetime
) -> list[CampaignCase]:
    """Every campaign's open cases as of `as_of`, as `clearing_list` orders them."""
    statuses = sorted(s.value for s in ON_THE_LADDER)
    rows = await conn.fetch(_OPEN_IN_CAMPAIGNS, as_of, statuses)
    return clearing_list((dict(r) for r in rows), as_of)
