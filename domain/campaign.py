"""Campaign windows (专项行动): a stretch of the year when some cases get a risk floor, a
deadline no later than the campaign's next milestone, and county supervision (督办) if they
are still open when a milestone passes — the winter wage-arrears campaign (根治欠薪冬季攻坚)
is the model: about 15 November to the Spring Festival, "cleared before New Year's Day".

The `[[campaigns]]` tables of the policy, parsed here, and the pure rules a case applies:
whether a campaign covers it, the floor, the cap, which milestones have passed. A date in the
file is local (the policy's offset): a start date means 00:00 of that day, an end or a
milestone date means 24:00 of it (the whole day counts, as a limit in days does). A demo
policy may write times relative to when it is read ("+3m"): `resolve_times` turns them into
moments. Pure: the caller passes every `now`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.durations import parse_duration
from domain.intake_models import DisputeType, RiskFlag
from domain.risk import RiskColour

#: The order of the colours, least severe first (a floor only ever raises a colour).
SEVERITY = (RiskColour.green, RiskColour.yellow, RiskColour.red)


def at_least(colour: RiskColour, floor: RiskColour) -> RiskColour:
    """`colour`, raised to `floor` when it is below it."""
    return max(colour, floor, key=SEVERITY.index)


class Milestone(BaseModel):
    """A date by which the campaign's cases should be cleared (e.g. 元旦前清零)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: A short name for people (data, like the policy's name), e.g. "元旦前清零".
    name: str = Field(min_length=1)
    at: datetime
    #: A case in the campaign is due no later than this milestone.
    cap_due: bool = True
    #: A case still on the ladder when the milestone passes goes under county supervision.
    supervise: bool = True


class Campaign(BaseModel):
    """One campaign window of the policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: A stable machine name (events and the ledger carry it), e.g. "winter-wages-2026".
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    #: What people call it, e.g. "根治欠薪冬季专项行动".
    title: str = Field(min_length=1)
    starts: datetime
    ends: datetime
    #: A case is covered when its type is listed or it carries one of the flags.
    dispute_types: list[DisputeType] = Field(default_factory=list)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    risk_floor: RiskColour = RiskColour.yellow
    milestones: list[Milestone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        if self.ends <= self.starts:
            raise ValueError(f"{self.name}: ends ({self.ends}) must be after starts")
        if not self.dispute_types and not self.risk_flags:
            raise ValueError(f"{self.name}: give dispute_types or risk_flags (it covers nothing)")
        times = [m.at for m in self.milestones]
        if times != sorted(times) or len(set(times)) != len(times):
            raise ValueError(f"{self.name}: milestones must be in order, one per moment")
        for m in self.milestones:
            if not self.starts < m.at <= self.ends:
                raise ValueError(f"{self.name}: milestone {m.name} lies outside the window")
        return self

    def covers(self, dispute_type: DisputeType, flags: list[RiskFlag]) -> bool:
        return dispute_type in self.dispute_types or bool(set(self.risk_flags) & set(flags))

    def running(self, now: datetime) -> bool:
        return self.starts <= now < self.ends

    def next_milestone(self, now: datetime, *, cap: bool = False) -> Milestone | None:
        """The first milestone after `now` (only those that cap a deadline, with `cap`)."""
        return next((m for m in self.milestones if m.at > now and (m.cap_due or not cap)), None)

    def capped(
        self, due: datetime | None, now: datetime
    ) -> tuple[datetime | None, Milestone | None]:
        """The due time no later than the next capping milestone, and that milestone when it
        moved the due time (None when the time stands: no milestone, or it is earlier)."""
        milestone = self.next_milestone(now, cap=True)
        if due is None or milestone is None or due <= milestone.at:
            return due, None
        return milestone.at, milestone

    def passed(self, since: datetime, now: datetime) -> list[Milestone]:
        """The supervising milestones in (`since`, `now`]: what a case must act on now."""
        return [m for m in self.milestones if m.supervise and since < m.at <= now]


def joining(
    campaigns: list[Campaign],
    dispute_type: DisputeType,
    flags: list[RiskFlag],
    now: datetime,
    joined: list[str],
) -> list[Campaign]:
    """The campaigns a case enters at `now`: running, covering it, not yet entered."""
    return [
        c for c in campaigns
        if c.name not in joined and c.running(now) and c.covers(dispute_type, flags)
    ]  # fmt: skip


def key(campaign: Campaign, milestone: Milestone) -> str:
    """How a case remembers a milestone it has met."""
    return f"{campaign.name}/{milestone.name}"


def due_milestones(campaign: Campaign, now: datetime, met: list[str]) -> list[Milestone]:
    """The supervising milestones that have come and that the case has not yet met."""
    return [
        m for m in campaign.milestones
        if m.supervise and m.at <= now and key(campaign, m) not in met
    ]  # fmt: skip


def next_wake(
    campaigns: list[Campaign],
    dispute_type: DisputeType,
    flags: list[RiskFlag],
    now: datetime,
    joined: list[str],
    met: list[str],
) -> datetime | None:
    """When a case next has something to do for a campaign: the start of one that covers it
    and that it has not entered (already past when another part acted first at that moment),
    or a supervising milestone not yet met of one it has entered."""
    times: list[datetime] = []
    for c in campaigns:
        if c.name in joined:
            times += [m.at for m in c.milestones if m.supervise and key(c, m) not in met]
        elif c.covers(dispute_type, flags) and c.ends > now:
            times.append(c.starts)
    return min(times, default=None)


def resolve_times(table: Any, *, utc_offset_hours: int, now: datetime | None) -> Any:
    """A `[[campaigns]]` list as written, its dates turned into moments: a date is local,
    00:00 for `starts` and 24:00 for `ends` and a milestone's `at`; a string "+3m" is that
    long after `now` (refused without one). Anything else is left for the model to refuse."""
    if not isinstance(table, list):
        return table
    zone = timezone(timedelta(hours=utc_offset_hours))

    def moment(value: Any, *, end_of_day: bool) -> Any:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=zone)
        if isinstance(value, date):
            day = value + timedelta(days=1) if end_of_day else value
            return datetime.combine(day, time(), zone)
        if isinstance(value, str) and value.startswith("+"):
            if now is None:
                raise ValueError(f"{value!r}: a time relative to now needs the time it is read")
            return now + parse_duration(value[1:])
        return value

    out = []
    for campaign in table:
        if not isinstance(campaign, dict):
            out.append(campaign)
            continue
        c = dict(campaign)
        for key, end in (("starts", False), ("ends", True)):
            if key in c:
                c[key] = moment(c[key], end_of_day=end)
        if isinstance(c.get("milestones"), list):
            c["milestones"] = [
                {**m, "at": moment(m["at"], end_of_day=True)}
                if isinstance(m, dict) and "at" in m
                else m
                for m in c["milestones"]
            ]
        out.append(c)
    return out
