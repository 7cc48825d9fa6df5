"""The escalation ladder: grid -> village -> township -> county.

"微事不出网格、小事不出村居、大事不出乡镇、矛盾不上交": each level tries first, and a case climbs
only when the level below fails or runs out of time. Pure: no Temporal, no I/O, no clock.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    grid = "grid"
    village = "village"
    township = "township"
    county = "county"


LADDER: tuple[Level, ...] = (Level.grid, Level.village, Level.township, Level.county)


def next_level(level: Level) -> Level | None:
    """The level a case climbs to from `level`, or None at the top (the county)."""
    index = LADDER.index(level)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


def jurisdiction(level: Level, county: str, township: str, village: str, grid: str) -> str:
    """The unit that owns a case at `level`: the grid, village, township or county name."""
    return {
        Level.grid: grid,
        Level.village: village,
        Level.township: township,
        Level.county: county,
    }[level]
