"""Recurring problems (每月一题): the most frequent (dispute type, place) pairs of a period and
the cases that came back, from which a county picks its problem of the month."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.assessment_models import RecurringPair

# Cases taken in during the period, by type and village; a merged case counts once, as the
# case it was merged into (which is already counted).
_PAIRS = """
SELECT dispute_type, township, village, count(*) AS cases,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_links l
                                       WHERE l.case_id = c.case_id)
                           OR EXISTS (SELECT 1 FROM case_events e
                                       WHERE e.case_id = c.case_id AND e.kind = 'reopened'))
           AS repeats
  FROM cases c
 WHERE opened_at >= $1 AND opened_at < $2 AND status <> 'merged'
 GROUP BY dispute_type, township, village
HAVING count(*) >= $3
 ORDER BY count(*) DESC, dispute_type, township, village
 LIMIT $4
"""


async def recurring_pairs(
    pool: asyncpg.Pool, start: datetime, end: datetime, *, at_least: int = 2, most: int = 10
) -> list[RecurringPair]:
    """The (type, township, village) pairs with at least `at_least` cases in [start, end),
    most first; `repeats` counts those linked to another case or reopened."""
    rows = await pool.fetch(_PAIRS, start, end, at_least, most)
    return [RecurringPair(**dict(r)) for r in rows]
