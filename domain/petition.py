"""A 信访 matter that comes again: linked to the earlier one, and answered as the law says.

信访工作条例 Art. 36 ¶3: after 复核, the same facts and reasons are accepted by no body
(不再受理). Art. 19 ¶3: the same matter taken to a higher body while it is still being handled
is not accepted. New facts or reasons open a new matter, linked to the earlier one.
Pure: the caller finds the earlier matter and says whether the facts are new.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

#: The petition table's state after 复核 (procedures/petition.toml).
AFTER_RE_REVIEW = "final_after_re_review"


class RepeatAnswer(StrEnum):
    new = "new"  # a new matter (linked to the earlier one when there is one)
    final_not_accepted = "final_not_accepted"  # Art. 36 ¶3
    pending_not_accepted = "pending_not_accepted"  # Art. 19 ¶3


class Earlier(BaseModel):
    """The earlier matter with the same subject: its id, its state and whether it is final."""

    model_config = ConfigDict(frozen=True)

    matter_id: str
    state: str
    final: bool


class Repeat(BaseModel):
    model_config = ConfigDict(frozen=True)

    answer: RepeatAnswer
    linked_to: str | None
    law: str


def answer_repeat(earlier: Earlier | None, *, new_facts: bool, higher_body: bool) -> Repeat:
    """How a matter that repeats `earlier` is answered."""
    if earlier is None:
        return Repeat(answer=RepeatAnswer.new, linked_to=None, law="信访工作条例 第二十二条")
    linked = earlier.matter_id
    if new_facts:
        return Repeat(
            answer=RepeatAnswer.new, linked_to=linked, law="信访工作条例 第三十六条第三款"
        )
    if earlier.state == AFTER_RE_REVIEW:
        return Repeat(
            answer=RepeatAnswer.final_not_accepted, linked_to=linked,
            law="信访工作条例 第三十六条第三款",
        )  # fmt: skip
    if not earlier.final and higher_body:
        return Repeat(
            answer=RepeatAnswer.pending_not_accepted, linked_to=linked,
            law="信访工作条例 第十九条第三款",
        )  # fmt: skip
    return Repeat(answer=RepeatAnswer.new, linked_to=linked, law="信访工作条例 第二十二条")
