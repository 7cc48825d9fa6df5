"""The intake record: the public contract in INTAKE.md, as pydantic models.

Counties' intake scripts depend on this shape, so it only ever grows by optional
fields. Unknown fields are rejected so that a typo in a column name cannot pass
silently. Pure: no I/O, no clock (the "not in the future" rule takes `now` as
validation context).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

#: How far in the future `reported_at` may lie (clocks drift; a typo in the year must not pass).
FUTURE_TOLERANCE = timedelta(minutes=5)
#: The earliest `reported_at`: older is a typo in the year, and year 1 with a positive offset
#: is not even a time PostgreSQL (or Python, in UTC) can hold.
EARLIEST_REPORT = datetime(1900, 1, 1, tzinfo=UTC)
#: What an ISO 8601 time starts with. Checked before pydantic parses `reported_at`, because
#: pydantic would read a bare number such as 20261120 as Unix seconds (a date in 1970).
_ISO_DATE_TIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
ISO_TIME_HINT = "must be an ISO 8601 time with an offset, e.g. 2026-11-20T09:30:00+08:00"


class DisputeType(StrEnum):
    neighbour = "neighbour"
    family = "family"
    debt = "debt"
    land = "land"
    land_acquisition = "land_acquisition"
    contract = "contract"
    wages = "wages"
    labour = "labour"
    property_damage = "property_damage"
    relocation = "relocation"
    consumer = "consumer"
    agriculture = "agriculture"
    cross_jurisdiction = "cross_jurisdiction"
    other = "other"


class Complexity(StrEnum):
    simple = "simple"
    general = "general"
    complex = "complex"


class PartyRole(StrEnum):
    applicant = "applicant"
    respondent = "respondent"
    third_party = "third_party"


class ReporterRole(StrEnum):
    grid_worker = "grid_worker"
    resident = "resident"
    police = "police"
    hotline = "hotline"
    mediator = "mediator"
    other = "other"


class RiskFlag(StrEnum):
    violence_threat = "violence_threat"
    self_harm = "self_harm"
    group_dispute = "group_dispute"
    minors = "minors"
    wage_arrears = "wage_arrears"
    elderly = "elderly"
    repeat_petition = "repeat_petition"


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Strict):
    county: NonEmpty
    township: NonEmpty
    village: NonEmpty
    grid: NonEmpty


class Party(_Strict):
    name: NonEmpty
    role: PartyRole
    phone: str | None = None
    id_number: str | None = None


class Reporter(_Strict):
    name: NonEmpty
    role: ReporterRole


class PetitionChannel(StrEnum):
    """How a 信访 matter arrived (信访工作条例 Art. 17: letters, online, phone, visits)."""

    letter = "letter"
    online = "online"
    phone = "phone"
    visit = "visit"


class AddressedTo(_Strict):
    """The body a 信访 matter is addressed to: a 信访 office (which registers and forwards or
    assigns it, Art. 22) or the body with the power to handle it (Art. 23 ¶2)."""

    kind: Literal["office", "body"]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PetitionIntake(_Strict):
    """What a 信访 matter adds to a dispute's intake (`"procedure": "petition"`)."""

    channel: PetitionChannel
    addressed_to: AddressedTo
    #: The earlier matter this one repeats (its case id): linked, and answered as Art. 19 ¶3
    #: and Art. 36 ¶3 say unless the facts are new.
    repeat_of: CaseId | None = None
    new_facts: bool = False
    #: Taken to a body above the one handling the earlier matter (Art. 19 ¶3).
    higher_body: bool = False


class RoadIntake(_Strict):
    """Where a matter on the court road or in labour arbitration starts (a state of its table,
    e.g. `pre_filing_mediation`, `filed`, `applied`), and the dispute case it comes from."""

    start: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    from_case: CaseId | None = None


class CaseIntake(_Strict):
    """One dispute as an intake script submits it (INTAKE.md)."""

    case_id: CaseId | None = None
    dispute_type: DisputeType
    complexity: Complexity = Complexity.general
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    location: Location
    parties: list[Party]
    reported_at: datetime
    reported_by: Reporter
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    # allow_inf_nan=False: "inf" parses as a float but is not an amount of money.
    amount_cny: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    #: A matter run by the procedure engine on `procedures/<procedure>.toml`, not the mediation
    #: ladder: "petition" (信访, needs `petition`), or a table's name with `road` (where it
    #: starts: the court road, labour arbitration).
    procedure: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")] | None = None
    petition: PetitionIntake | None = None
    road: RoadIntake | None = None

    @model_validator(mode="after")
    def _procedure_fields(self) -> CaseIntake:
        if (self.procedure == "petition") != (self.petition is not None):
            raise ValueError('"procedure": "petition" and "petition" come together')
        if (self.procedure not in (None, "petition")) != (self.road is not None):
            raise ValueError('"road" comes with a "procedure" other than "petition"')
        return self

    @field_validator("parties")
    @classmethod
    def _needs_applicant(cls, parties: list[Party]) -> list[Party]:
        if not any(p.role is PartyRole.applicant for p in parties):
            raise ValueError("at least one party must have role 'applicant'")
        return parties

    @field_validator("reported_at", mode="before")
    @classmethod
    def _iso_text(cls, value: object) -> object:
        if isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE_TIME.match(value):
            return value
        raise ValueError(ISO_TIME_HINT)

    @field_validator("reported_at")
    @classmethod
    def _aware_and_not_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("must carry a time-zone offset, e.g. 2026-11-20T09:30:00+08:00")
        if value < EARLIEST_REPORT:  # compared as instants, without converting to UTC
            raise ValueError("lies before 1900: check the year")
        now = (info.context or {}).get("now")
        if now is not None and value > now + FUTURE_TOLERANCE:
            raise ValueError(f"lies in the future (now is {now.isoformat(timespec='seconds')})")
        return value

    @field_validator("amount_cny", mode="before")
    @classmethod
    def _not_bool(cls, value: object) -> object:
        # pydantic turns true into 1.0; a JSON boolean here is a mistake, not an amount.
        if isinstance(value, bool):
            raise ValueError("must be a number ≥ 0")
        return value

    @field_validator("risk_flags")
    @classmethod
    def _unique_flags(cls, flags: list[RiskFlag]) -> list[RiskFlag]:
        # Order-preserving de-duplication: "minors;minors" is a clerk's slip, not an error.
        return list(dict.fromkeys(flags))

    @property
    def applicant(self) -> Party:
        return next(p for p in self.parties if p.role is PartyRole.applicant)
