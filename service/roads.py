"""A dispute (or a 信访 matter routed away, 诉访分离) taken onto the court road or into labour
arbitration: a matter of its own on that procedure's table, keeping the case's parties, place
and subject, and linked to it (`road.from_case`); the case's history stays in the ledger.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from temporalio.client import Client

from domain.intake_models import CaseIntake, RoadIntake
from domain.policy import Policy
from ledger import procedures
from ledger.cases import case_intake
from runtime.procedures import load_tables
from service.case_json import with_local_times
from service.intake import start_case
from texts import Lang


class RoadError(ValueError):
    """The case is unknown, or the road cannot start where asked; the message says why."""


def road_intake(case_id: str, intake: CaseIntake, procedure: str, start: str) -> CaseIntake:
    """The new matter's intake: the case's, on `procedure` from `start`, as `<case>-<procedure>`."""
    data = intake.model_dump(mode="json")
    data.update(
        case_id=f"{case_id}-{procedure}"[:64],
        procedure=procedure,
        petition=None,
        road=RoadIntake(start=start, from_case=case_id).model_dump(),
    )
    return CaseIntake.model_validate(data)


async def open_road(
    client: Client, pool: asyncpg.Pool, case_id: str, procedure: str, start: str,
    policy: Policy, lang: Lang,
) -> tuple[str, bool]:  # fmt: skip
    """Start the matter; its case id, and False when it had been started already."""
    intake = await case_intake(pool, case_id)
    if intake is None:
        raise RoadError(f"no case {case_id}")
    matter = road_intake(case_id, intake, procedure, start)
    assert matter.case_id is not None
    return matter.case_id, await start_case(client, matter, policy, lang)


async def road_links(pool: asyncpg.Pool, case_id: str) -> dict[str, Any]:
    """What `status --json` and the page add about roads, read from the ledger (never from
    Temporal): `roads`, the matters the case was taken onto, each `{case_id, procedure, title,
    state, final, status, next_window: {name, due_at, law} | None}` (`title`: the table's);
    `from_case`, for a matter on a road, the case it came from (else None). Times at +08:00."""
    tables = load_tables()
    roads = [
        {**r, "title": tables[r["procedure"]].title if r["procedure"] in tables else r["procedure"]}
        for r in await procedures.roads_from(pool, case_id)
    ]
    origin = await procedures.road_origin(pool, case_id)
    return with_local_times({"roads": roads, "from_case": origin})
