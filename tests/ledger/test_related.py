"""Look-alikes in the ledger: one statement answers a batch of intakes, each in its place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from domain.related import SimilarQuery
from ledger import related

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


async def add_case(pool: asyncpg.Pool, case_id: str, village: str, phone: str | None) -> None:
    parties = [{"name": "甲", "role": "applicant", **({"phone": phone} if phone else {})}]
    await pool.execute(
        """
        INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
                           township, village, grid, reported_at, opened_at, policy_name, intake,
                           status, level, due_at, last_seq)
        VALUES ($1, 'case-' || $1, 'debt', 'general', 'green', 't', 'C', 'T', $2, 'G', $3, $3,
                'p', $4, 'open', 'grid', NULL, 0)
        """,
        case_id, village, AT, {"parties": parties},
    )  # fmt: skip


def query(case_id: str, village: str, phones: list[str]) -> SimilarQuery:
    return SimilarQuery(
        case_id=case_id, identifiers=[{"phone": p} for p in phones], village=village,
        dispute_type="debt", reported_from=AT - timedelta(days=3),
        reported_to=AT + timedelta(days=3), closed_since=AT - timedelta(days=30),
    )  # fmt: skip


async def test_a_batch_answers_each_query_in_its_order(clean_pool):
    await add_case(clean_pool, "OLD-1", "East", "13800000001")
    await add_case(clean_pool, "OLD-2", "West", None)
    batch = [
        query("NEW-1", "North", ["13900000009", "13800000001"]),  # the second phone: OLD-1
        query("NEW-2", "South", []),  # nothing alike
        query("NEW-3", "West", []),  # same village and type, same week: OLD-2
        query("OLD-1", "East", ["13800000001"]),  # never its own look-alike
    ]
    assert await related.similar_each(clean_pool, batch) == [["OLD-1"], [], ["OLD-2"], []]
    assert await related.similar(clean_pool, batch[0]) == ["OLD-1"]
    assert await related.similar_each(clean_pool, []) == []
