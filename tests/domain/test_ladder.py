"""The escalation ladder: the order of the levels and who owns a case at each."""

from __future__ import annotations

import pytest

from domain.ladder import LADDER, Level, jurisdiction, next_level

UNITS = {
    "county": "Haibowan District",
    "township": "Haibei Street",
    "village": "Diamond Square Community",
    "grid": "G-07",
}


def test_ladder_runs_grid_village_township_county_in_order():
    assert LADDER == (Level.grid, Level.village, Level.township, Level.county)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.grid, Level.village),
        (Level.village, Level.township),
        (Level.township, Level.county),
        (Level.county, None),
    ],
)
def test_next_level_climbs_one_rung(level: Level, expected: Level | None):
    assert next_level(level) == expected


def test_next_level_is_none_at_the_county_because_nothing_is_above_it():
    assert next_level(Level.county) is None


def test_climbing_from_the_grid_visits_every_level_once_then_stops():
    visited = [Level.grid]
    while (above := next_level(visited[-1])) is not None:
        visited.append(above)
    assert visited == list(LADDER)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.grid, "G-07"),
        (Level.village, "Diamond Square Community"),
        (Level.township, "Haibei Street"),
        (Level.county, "Haibowan District"),
    ],
)
def test_jurisdiction_picks_the_unit_of_the_level(level: Level, expected: str):
    assert jurisdiction(level, **UNITS) == expected


@pytest.mark.parametrize("level", list(Level))
def test_jurisdiction_accepts_the_level_as_plain_text(level: Level):
    # Level is a StrEnum: a value read back from the ledger as text finds the same unit.
    assert jurisdiction(Level(level.value), **UNITS) == UNITS[level.value]
