"""People's tokens: who may hold one, what is stored, and when one stops working."""

from __future__ import annotations

import asyncpg
import pytest

from cli.commands import token_created
from ledger import tokens

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
async def people(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    await clean_pool.execute("TRUNCATE tokens, department_duties, departments CASCADE")
    await clean_pool.executemany(
        "INSERT INTO roster (level, unit, name, role, active) VALUES ($1, $2, $3, $4, $5)",
        [("grid", "G-07", "赵网格员", "grid_worker", True),
         ("township", "Haibei Street", "冯主任", "governance_centre", True),
         ("grid", "G-07", "离职者", "grid_worker", False)],
    )  # fmt: skip
    await clean_pool.execute(
        "INSERT INTO departments (code, name, unit) VALUES "
        "('police_station', '海北派出所', 'Haibei Street')"
    )
    return clean_pool


async def test_a_roster_person_gets_a_token_only_its_hash_is_kept(people):
    token_id, token = await tokens.issue(people, "赵网格员", "G-07", "grid_worker")

    row = await people.fetchrow("SELECT * FROM tokens WHERE token_id = $1", token_id)
    assert token.startswith("dt_") and len(token) > 40
    assert row["token_hash"] == tokens.hash_token(token)
    assert token not in str(dict(row))
    person = await tokens.lookup(people, token)
    assert person is not None and person.actor.model_dump() == {
        "name": "赵网格员", "role": "grid_worker", "unit": "G-07",
    }  # fmt: skip
    assert person.level == "grid"


@pytest.mark.parametrize(
    ("name", "unit", "role", "message"),
    [
        ("假冒者", "G-07", "grid_worker", "not an active person on the roster"),
        ("离职者", "G-07", "grid_worker", "not an active person on the roster"),
        ("赵网格员", "G-08", "grid_worker", "not an active person on the roster"),
        ("赵网格员", "G-07", "county_centre", "--role must be grid_worker or supervisor"),
        ("值班民警", "Qianli Township", "police_station", "not an active department"),
        ("赵网格员", None, "grid_worker", "--unit is required"),
    ],
)
async def test_refused_to_anyone_not_entitled(people, name, unit, role, message):
    with pytest.raises(tokens.TokenError, match=message):
        await tokens.issue(people, name, unit, role)
    assert await people.fetchval("SELECT count(*) FROM tokens") == 0


async def test_supervisors_duty_officers_and_intake_services(people):
    for name, unit, role in [("冯主任", "Haibei Street", "supervisor"),
                             ("值班民警", "Haibei Street", "police_station"),
                             ("hotline", None, "intake")]:  # fmt: skip
        _, token = await tokens.issue(people, name, unit, role)
        person = await tokens.lookup(people, token)
        assert person is not None and (person.name, person.role) == (name, role)
    assert (await tokens.lookup(people, token)).is_service


async def test_revoked_or_no_longer_entitled_tokens_stop_working(people):
    revoked_id, revoked = await tokens.issue(people, "赵网格员", "G-07", "grid_worker")
    _, left = await tokens.issue(people, "冯主任", "Haibei Street", "governance_centre")
    _, officer = await tokens.issue(people, "值班民警", "Haibei Street", "police_station")

    await tokens.revoke(people, revoked_id)
    await people.execute("UPDATE roster SET active = false WHERE name = '冯主任'")
    await people.execute("UPDATE departments SET active = false")

    for token in (revoked, left, officer, "dt_unknown", "not-even-a-token"):
        assert await tokens.lookup(people, token) is None
    with pytest.raises(tokens.TokenError, match="no active token"):
        await tokens.revoke(people, revoked_id)
    listed = {r["token_id"]: r for r in await tokens.listing(people)}
    assert listed[revoked_id]["revoked_at"] is not None
    assert "revoked" in token_created(listed[revoked_id])
