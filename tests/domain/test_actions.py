"""The action input models: who acts, and the reasons and durations each action needs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from domain.actions import (
    Actor,
    EscalateInput,
    ExtendInput,
    OutcomeInput,
    PauseInput,
    RefuseInput,
    RegradeInput,
    ResumeInput,
    TransferAnswer,
    TransferInput,
    VisitInput,
    WithdrawInput,
)
from domain.intake_models import RiskFlag
from domain.ladder import Level

ACTOR = {"name": "张三", "role": "handler", "unit": "G-07"}


def refusal(model: type[BaseModel], **fields: Any) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate({"actor": ACTOR, **fields})
    return str(info.value)


# Each action with the smallest valid input besides its actor.
VALID: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (OutcomeInput, {"outcome": "resolved"}),
    (PauseInput, {"reason": "appraisal"}),
    (ResumeInput, {}),
    (ExtendInput, {"by": "2d", "reason": "appraisal pending"}),
    (EscalateInput, {"reason": "no progress"}),
    (RegradeInput, {"risk_flags": ["minors"], "reason": "children involved"}),
    (TransferInput, {"to_unit": "Haixi Street", "reason": "wrong township"}),
    (TransferAnswer, {"accept": True}),
    (WithdrawInput, {"reason": "settled privately"}),
    (RefuseInput, {"reason": "will go to court"}),
    (VisitInput, {"visit": "satisfaction", "result": "satisfied"}),
]


@pytest.mark.parametrize(("model", "fields"), VALID, ids=[m.__name__ for m, _ in VALID])
def test_minimal_valid_input_is_accepted_with_its_actor(
    model: type[BaseModel], fields: dict[str, Any]
):
    action = model.model_validate({"actor": ACTOR, **fields})
    assert action.actor == Actor(name="张三", role="handler", unit="G-07")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("model", "fields"), VALID, ids=[m.__name__ for m, _ in VALID])
def test_unknown_field_is_refused(model: type[BaseModel], fields: dict[str, Any]):
    message = refusal(model, **fields, urgent=True)
    assert "urgent" in message
    assert "Extra inputs are not permitted" in message


@pytest.mark.parametrize(("model", "fields"), VALID, ids=[m.__name__ for m, _ in VALID])
def test_missing_actor_is_refused(model: type[BaseModel], fields: dict[str, Any]):
    with pytest.raises(ValidationError) as info:
        model.model_validate(fields)
    assert "actor" in str(info.value)
    assert "Field required" in str(info.value)


# --- Actor -------------------------------------------------------------------------------


def test_actor_unit_is_optional_for_parties():
    assert Actor(name="王某", role="applicant").unit is None


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": "", "role": "handler"}, "name"),
        ({"name": "张三", "role": ""}, "role"),
        ({"role": "handler"}, "name"),
        ({"name": "张三", "role": "handler", "badge": "007"}, "badge"),
    ],
)
def test_actor_refuses_empty_missing_or_unknown_fields(fields: dict[str, Any], key: str):
    with pytest.raises(ValidationError) as info:
        Actor.model_validate(fields)
    assert key in str(info.value)


def test_actor_is_frozen():
    actor = Actor(name="张三", role="handler", unit="G-07")
    with pytest.raises(ValidationError, match="frozen"):
        actor.unit = "G-08"  # type: ignore[misc]
    assert actor.unit == "G-07"


# --- OutcomeInput ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_failed_outcome_without_reason_is_refused(reason: str | None):
    message = refusal(OutcomeInput, outcome="failed", reason=reason)
    assert "reason: a failed outcome must say why" in message


def test_failed_outcome_with_a_reason_is_accepted():
    action = OutcomeInput.model_validate(
        {"actor": ACTOR, "outcome": "failed", "reason": "respondent absent", "level": "grid"}
    )
    assert (action.outcome, action.reason, action.level) == (
        "failed",
        "respondent absent",
        Level.grid,
    )


def test_resolved_outcome_needs_no_reason():
    action = OutcomeInput.model_validate(
        {"actor": ACTOR, "outcome": "resolved", "agreement": "repair by 12-01"}
    )
    assert action.reason is None
    assert action.agreement == "repair by 12-01"


@pytest.mark.parametrize(("field", "value"), [("outcome", "abandoned"), ("level", "province")])
def test_outcome_refuses_unknown_values(field: str, value: str):
    message = refusal(OutcomeInput, **{"outcome": "resolved", field: value})
    assert field in message
    assert repr(value) in message


# --- TransferAnswer ----------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "  \t "])
def test_objection_without_reason_is_refused(reason: str | None):
    message = refusal(TransferAnswer, accept=False, reason=reason)
    assert "an objection must say why" in message


def test_objection_with_a_reason_is_accepted():
    answer = TransferAnswer.model_validate(
        {"actor": ACTOR, "accept": False, "reason": "not our township"}
    )
    assert (answer.accept, answer.reason) == (False, "not our township")


def test_acceptance_needs_no_reason():
    answer = TransferAnswer.model_validate({"actor": ACTOR, "accept": True})
    assert answer.accept is True
    assert answer.reason is None


# --- ExtendInput -------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["2d", "3wd", "12h", "30m", "0.5d"])
def test_extension_accepts_calendar_time_and_working_days(by: str):
    action = ExtendInput.model_validate({"actor": ACTOR, "by": by, "reason": "appraisal"})
    assert action.by == by


@pytest.mark.parametrize(
    ("by", "why"),
    [
        ("soon", "'soon' is not a duration"),
        ("2 weeks", "'2 weeks' is not a duration"),
        ("0d", "must be longer than zero"),
        ("0wd", "working days must be a whole number"),
        ("1.5wd", "working days must be a whole number"),
        ("", "is not a duration"),
    ],
)
def test_extension_refuses_a_bad_duration(by: str, why: str):
    message = refusal(ExtendInput, by=by, reason="appraisal")
    assert "by" in message
    assert why in message


# --- reasons -----------------------------------------------------------------------------

REASONED: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (ExtendInput, {"by": "2d"}, "an extension"),
    (EscalateInput, {}, "an escalation"),
    (RegradeInput, {"risk_flags": []}, "a re-grade"),
    (TransferInput, {"to_unit": "Haixi Street"}, "a transfer"),
    (WithdrawInput, {}, "a withdrawal"),
    (RefuseInput, {}, "a refusal"),
]
REASONED_IDS = [m.__name__ for m, _, _ in REASONED]


@pytest.mark.parametrize(("model", "fields", "what"), REASONED, ids=REASONED_IDS)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_reason_is_refused(
    model: type[BaseModel], fields: dict[str, Any], what: str, blank: str
):
    message = refusal(model, **fields, reason=blank)
    assert f"{what} must say why" in message
    assert "reason" in message


@pytest.mark.parametrize(("model", "fields", "what"), REASONED, ids=REASONED_IDS)
def test_missing_reason_is_refused(model: type[BaseModel], fields: dict[str, Any], what: str):
    message = refusal(model, **fields)
    assert "reason" in message
    assert "Field required" in message


@pytest.mark.parametrize(("model", "fields", "what"), REASONED, ids=REASONED_IDS)
def test_reason_is_kept_stripped(model: type[BaseModel], fields: dict[str, Any], what: str):
    action = model.model_validate({"actor": ACTOR, **fields, "reason": "  no progress\n"})
    assert action.reason == "no progress"  # type: ignore[attr-defined]


# --- the other fields --------------------------------------------------------------------


def test_escalate_to_level_is_optional_and_a_ladder_level():
    assert EscalateInput.model_validate({"actor": ACTOR, "reason": "x"}).to_level is None
    pulled = EscalateInput.model_validate({"actor": ACTOR, "reason": "x", "to_level": "county"})
    assert pulled.to_level is Level.county
    assert "to_level" in refusal(EscalateInput, reason="x", to_level="province")


def test_regrade_reads_risk_flags_and_refuses_unknown_ones():
    action = RegradeInput.model_validate(
        {"actor": ACTOR, "risk_flags": ["minors", "wage_arrears"], "reason": "new facts"}
    )
    assert action.risk_flags == [RiskFlag.minors, RiskFlag.wage_arrears]
    assert "risk_flags" in refusal(RegradeInput, risk_flags=["arson"], reason="x")


def test_transfer_needs_a_receiving_unit():
    message = refusal(TransferInput, to_unit="", reason="wrong township")
    assert "to_unit" in message


@pytest.mark.parametrize(
    ("model", "fields", "key"),
    [
        (PauseInput, {"reason": "lunch"}, "reason"),
        (VisitInput, {"visit": "audit", "result": "satisfied"}, "visit"),
        (VisitInput, {"visit": "performance", "result": "happy"}, "result"),
    ],
)
def test_closed_vocabularies_refuse_other_values(
    model: type[BaseModel], fields: dict[str, Any], key: str
):
    message = refusal(model, **fields)
    assert key in message
    assert "Input should be" in message


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (PauseInput, {"reason": "other", "note": "a\x00b"}, "note"),
        (WithdrawInput, {"reason": "\ud800 settled"}, "reason"),
        (
            PauseInput,
            {"reason": "other", "actor": {"name": "x\x00", "role": "handler"}},
            "actor.name",
        ),
    ],
)
def test_text_the_ledger_cannot_store_is_refused_naming_the_field(model, data, field):
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"actor": {"name": "赵网格员", "role": "grid_worker"}, **data})
    assert f"{field}: holds a" in str(caught.value)
