"""The mediation policy: each track's time limit and extensions, and the routing thresholds.

Figures marked (law) come from the statutes in DOMAIN.md; (local) ones are defaults a county may
change in the `[mediation]` table of a policy file. A key the table leaves out keeps its default.
Pure: no I/O, no clock. The rules that use it are in domain/mediation.py.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from domain.durations import Budget
from domain.intake_models import DisputeType
from domain.policy_files import build_table, load_toml
from domain.whistle import DepartmentCode


class Track(StrEnum):
    peoples = "peoples"  # 人民调解
    administrative = "administrative"  # 行政调解
    judicial_pre_filing = "judicial_pre_filing"  # 委派调解, before a suit is filed
    judicial_post_filing = "judicial_post_filing"  # 委托调解, ordinary procedure
    judicial_simplified = "judicial_simplified"  # 委托调解, simplified procedure
    labour_mediation = "labour_mediation"  # 劳动争议调解
    labour_arbitration = "labour_arbitration"  # 劳动争议仲裁


JUDICIAL = frozenset(
    {Track.judicial_pre_filing, Track.judicial_post_filing, Track.judicial_simplified}
)
LABOUR_TRACKS = frozenset({Track.labour_mediation, Track.labour_arbitration})
#: Disputes under the Labour Dispute Mediation and Arbitration Law.
LABOUR_TYPES = frozenset({DisputeType.wages, DisputeType.labour})


class ExtensionRule(BaseModel):
    """Who must agree to more time on a track, and how much more it may get in all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    needs: Literal["consent", "approval"]
    #: Total extra time; None when the law sets no cap.
    cap: str | None = None

    @field_validator("cap")
    @classmethod
    def _parseable(cls, text: str | None) -> str | None:
        if text is not None:
            Budget.parse(text)
        return text


class Extension(BaseModel):
    """One grant of extra time: both parties' consent, or a superior's approval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    length: str
    both_parties_consent: bool = False
    approved: bool = False

    @field_validator("length")
    @classmethod
    def _parseable(cls, text: str) -> str:
        Budget.parse(text)
        return text


def _default_limits() -> dict[Track, str]:
    return {
        # "Generally settled within one month" (司法部《人民调解工作若干规定》).
        Track.peoples: "30d",
        # (local) no national limit; a month, like people's mediation, keeps tracks comparable.
        Track.administrative: "30d",
        # (law) court-referred: 30 days before filing; after filing 15, or 7 if simplified.
        Track.judicial_pre_filing: "30d",
        Track.judicial_post_filing: "15d",
        Track.judicial_simplified: "7d",
        # (law) 劳动争议调解仲裁法 Art. 14: no agreement in 15 days -> arbitration may begin.
        Track.labour_mediation: "15d",
        # (law) Art. 43: the award within 45 days of acceptance.
        Track.labour_arbitration: "45d",
    }


def _default_extensions() -> dict[Track, ExtensionRule]:
    consent = ExtensionRule(needs="consent")
    return {
        # Mediation is voluntary (人民调解法 Art. 3): if both parties want to go on, it goes on.
        Track.peoples: consent,
        Track.administrative: consent,
        # (law) "extendable with both parties' consent", no cap given.
        Track.judicial_pre_filing: consent,
        Track.judicial_post_filing: consent,
        Track.judicial_simplified: consent,
        # (law) +15 days with the arbitration committee chair's approval. Labour mediation has
        # no extension: after 15 days a party may go to arbitration, whatever the mediator says.
        Track.labour_arbitration: ExtensionRule(needs="approval", cap="15d"),
    }


def _default_administrative() -> dict[DisputeType, str]:
    return {
        # 消费者权益保护法 Art. 39: market supervision mediates consumer complaints.
        DisputeType.consumer: "market_supervision",
        # 治安调解 (治安管理处罚法 Art. 9): damage to property from a minor public-order
        # matter is police mediation. Neighbour trivia is not listed: it is the classic
        # people's mediation matter, and a failed one goes to the court, not the police.
        DisputeType.property_damage: "police_station",
        # 土地管理法 Art. 14: land ownership and use disputes the parties cannot settle go to
        # the government; acquisition and relocation are the government's own projects.
        DisputeType.land: "natural_resources",
        DisputeType.land_acquisition: "natural_resources",
        DisputeType.relocation: "natural_resources",
        # The labour bureau hosts labour mediation and the arbitration committee.
        DisputeType.wages: "labour",
        DisputeType.labour: "labour",
    }


class MediationPolicy(BaseModel):
    """The `[mediation]` table: routing thresholds, departments and each track's time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limits: dict[Track, str] = Field(default_factory=_default_limits)
    #: Tracks absent here cannot be extended.
    extensions: dict[Track, ExtensionRule] = Field(default_factory=_default_extensions)
    #: (law) Art. 29: the arbitration committee accepts or refuses within 5 days.
    arbitration_accept: str = "5d"
    #: (law) Art. 48/50: a party may sue within 15 days of the award.
    arbitration_appeal: str = "15d"
    #: The department mediating each type administratively; a type absent here has no
    #: administrative track (not as a choice, nor as a hand-off).
    administrative: dict[DisputeType, DepartmentCode] = Field(
        default_factory=_default_administrative
    )
    #: (local) Types whose first track is administrative: the department is the statutory
    #: channel (consumer complaints), or the government is a party (acquisition, relocation)
    #: and a people's mediation committee, made for disputes among residents, cannot bind it.
    administrative_first: frozenset[DisputeType] = frozenset(
        {DisputeType.consumer, DisputeType.land_acquisition, DisputeType.relocation}
    )
    #: (local) Property damage up to this amount is a public-order matter for the police;
    #: 5,000 CNY is where intentional damage becomes a criminal matter (立案追诉标准).
    police_amount_cny: float = Field(default=5_000, ge=0)
    #: (local) From this amount (or when complex) a dispute goes to court-referred mediation:
    #: an outcome the court can enforce matters more than a free, informal one.
    judicial_amount_cny: float = Field(default=100_000, ge=0)
    judicial_department: DepartmentCode = "judge_station"

    @field_validator("limits")
    @classmethod
    def _every_track(cls, limits: dict[Track, str]) -> dict[Track, str]:
        for track in Track:
            if track not in limits:
                raise ValueError(f"missing limits.{track.value}")
            try:
                Budget.parse(limits[track])
            except ValueError as err:
                raise ValueError(f"{track.value}: {err}") from None
        return limits

    @field_validator("arbitration_accept", "arbitration_appeal")
    @classmethod
    def _parseable(cls, text: str) -> str:
        Budget.parse(text)
        return text

    @model_validator(mode="after")
    def _administrative_first_has_departments(self) -> MediationPolicy:
        # Routing a type to administrative mediation needs someone to mediate it.
        orphans = sorted(self.administrative_first - set(self.administrative))
        if orphans:
            raise ValueError(f"administrative_first: {orphans[0]} has no administrative department")
        return self


DEFAULT_MEDIATION = MediationPolicy()


#: Tables merged key by key with their defaults, so `[mediation.limits]` may name one track.
_MERGED = {
    "limits": _default_limits,
    "extensions": _default_extensions,
    "administrative": _default_administrative,
}


def mediation_policy(table: dict[str, Any] | None) -> MediationPolicy:
    """The policy from a `[mediation]` table; a key left out keeps its default, and so does
    a track or type that `limits`, `extensions` or `administrative` leave out."""
    data = dict(table or {})
    for key, default in _MERGED.items():
        given = data.get(key)
        if isinstance(given, dict):
            data[key] = {**{k.value: v for k, v in default().items()}, **given}
    return MediationPolicy.model_validate(data)


def parse_mediation_policy(text: str, *, source: str = "policy") -> MediationPolicy:
    """The `[mediation]` table of a policy file; other tables are ignored."""
    return build_table(load_toml(text, source=source), "mediation", mediation_policy, source=source)
