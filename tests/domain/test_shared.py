"""One copy per process of equal frozen values: a case's policy is shared, never changed."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from domain import shared as sharing
from domain.case_models import CaseStart
from tests.factories import DEFAULT_POLICY, case_start


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    days: list[int] = []


class Loose(BaseModel):
    name: str


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (Frozen(name="a"), Frozen(name="a"), True),
        (Frozen(name="a", days=[1]), Frozen(name="a", days=[1]), True),
        (Frozen(name="a"), Frozen(name="b"), False),
        (Frozen(name="a", days=[1]), Frozen(name="a", days=[2]), False),
    ],
)
def test_equal_content_gives_the_first_copy(first, second, same):
    kept = sharing.shared(first)
    assert (sharing.shared(second) is kept) is same
    assert sharing.shared(second) == second


def test_a_value_that_could_change_is_not_shared():
    with pytest.raises(TypeError, match="not frozen"):
        sharing.shared(Loose(name="a"))


def test_the_table_starts_afresh_past_its_limit(monkeypatch):
    monkeypatch.setattr(sharing, "LIMIT", 3)
    monkeypatch.setattr(sharing, "_by_content", {})
    monkeypatch.setattr(sharing, "_handed_out", {})
    for i in range(5):
        sharing.shared(Frozen(name=str(i)))
    assert len(sharing._by_content) <= 3
    assert len(sharing._handed_out) <= 3


def test_the_copy_handed_out_comes_back_without_hashing(monkeypatch):
    kept = sharing.shared(Frozen(name="handed"))
    hashed = []
    key = sharing.content_key
    monkeypatch.setattr(sharing, "content_key", lambda v: hashed.append(v) or key(v))
    assert sharing.shared(kept) is kept
    assert hashed == []
    equal = Frozen(name="handed")
    assert sharing.shared(equal) is kept
    assert hashed == [equal]  # an equal copy is still found by its content


def test_cases_decoded_from_their_input_share_one_policy():
    starts = [
        CaseStart.model_validate_json(case_start(c).model_dump_json()) for c in ("A-1", "A-2")
    ]
    assert starts[0].policy is starts[1].policy
    assert starts[0].policy == DEFAULT_POLICY
