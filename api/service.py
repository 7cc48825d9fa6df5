"""What the API and the web page do, once the caller is known: act, read a case, intake.

Both front ends (JSON in api/routes.py, HTML in api/web.py) call these, so an action taken
on the page and one sent by the CLI go through the same checks and the same audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from pydantic import ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from api.actions import ApiAction
from api.text import _, action_name, current_lang
from domain import time_left, urgency
from domain.case_models import CaseView
from domain.intake import IntakeFileError, detect_format, parse_intake
from domain.naming import workflow_id_for
from ledger import case_page, halted, related, worklist
from ledger.cases import with_history
from ledger.tokens import Person
from service.case_json import related_json, status_json
from service.case_json import with_local_times as status_json_values
from service.departments import department_codes
from service.errors import problems
from service.intake import current_policy, submit
from service.roads import road_links
from texts.terms import LOCAL_ZONE
from texts.terms import time_left as time_left_words
from workflows.case import CaseWorkflow

log = structlog.get_logger("api")

#: Longest text accepted in any field of an action (a reason, a note, an agreement).
MAX_FIELD = 4000
#: Most items in a list field (departments, risk flags).
MAX_ITEMS = 50


class Problem(Exception):
    """A request the API turns down; `status` is the HTTP status, the message says why."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(Problem):
    status = 422


class Refused(Problem):
    status = 403


class NotFound(Problem):
    status = 404


def check_sizes(body: dict[str, Any]) -> None:
    """Field lengths: every text at most MAX_FIELD characters, every list MAX_ITEMS items."""
    for key, value in body.items():
        if isinstance(value, str) and len(value) > MAX_FIELD:
            raise Invalid(
                _("{field}: at most {n} characters (got {got})").format(
                    field=key, n=MAX_FIELD, got=len(value)
                )
            )
        if isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise Invalid(
                    _("{field}: at most {n} items (got {got})").format(
                        field=key, n=MAX_ITEMS, got=len(value)
                    )
                )
            for item in value:
                if isinstance(item, str) and len(item) > 200:
                    raise Invalid(_("{field}: each item at most 200 characters").format(field=key))


async def _readable(pool: asyncpg.Pool, person: Person, other: str) -> bool:
    """The person may read `other` (its title and status show on the linked case): a case
    they cannot read is answered as one that does not exist, so ids cannot be probed."""
    return await worklist.may_read(pool, other, person.name, person.unit, person.role)


async def check_link_target(pool: asyncpg.Pool, person: Person, case_id: str, other: Any) -> None:
    """A case is linked only to another case in the ledger that the person may read (one who
    may not read the case itself is refused by its workflow, as for any action)."""
    if not await _readable(pool, person, case_id):
        return
    if (
        not isinstance(other, str)
        or await related.status_of(pool, other) is None
        or not await _readable(pool, person, other)
    ):
        raise Invalid(_("other: there is no case {case_id}").format(case_id=other))


async def check_merge_target(pool: asyncpg.Pool, person: Person, case_id: str, into: Any) -> None:
    """A case is merged only into another case in the ledger that the person may read, itself
    not merged (one who may not read the case itself is refused by its workflow)."""
    if not await _readable(pool, person, case_id):
        return
    status = await related.status_of(pool, into) if isinstance(into, str) else None
    if status is None or not await _readable(pool, person, into):
        raise Invalid(_("into: there is no case {case_id}").format(case_id=into))
    if status == "merged":
        raise Invalid(
            _("into: case {case_id} was itself merged into another; merge into that one").format(
                case_id=into
            )
        )


async def act(
    client: Client,
    pool: asyncpg.Pool,
    person: Person,
    action: ApiAction,
    case_id: str,
    body: dict[str, Any],
    *,
    department: str | None = None,
    whistle: int = 1,
) -> dict[str, Any]:
    """Send the action as the token's person; returns the case (or duty) after it."""
    if person.is_service:
        raise Refused(_("An intake token may only submit intake files."))
    check_case_scope(person, case_id)
    if "actor" in body:
        raise Invalid(_("actor: not accepted: the actor is the person of your token"))
    check_sizes(body)
    if isinstance(body.get("departments"), list):  # a whistle: names as people type them
        body = {**body, "departments": await department_codes(pool, case_id, body["departments"])}
    try:
        model = action.action.build(person.actor, body)
    except ValidationError as err:
        raise Invalid(
            _("{action} for {case_id}: {problems}").format(
                action=action_name(action.name),
                case_id=case_id,
                problems=problems(err, current_lang()),
            )
        ) from None
    if action.name == "merge":
        await check_merge_target(pool, person, case_id, body.get("into"))
    if action.name == "link":
        await check_link_target(pool, person, case_id, body.get("other"))
    wid = action.workflow_id(case_id, department, whistle)
    what = (
        _("{department} (whistle {whistle}) of case {case_id}").format(
            department=department, whistle=whistle, case_id=case_id
        )
        if action.duty
        else case_id
    )
    bound = log.bind(
        case_id=case_id,
        action=action.name,
        token=person.token_id,
        unit=person.unit,
        role=person.role,
    )
    try:
        view = await client.get_workflow_handle(wid).execute_update(
            action.action.update_name, model, result_type=action.action.answer
        )
    except WorkflowUpdateFailedError as err:
        reason = getattr(err.cause, "message", None) or str(err.cause)
        # The reason names people: it goes to the audit (api/refusals.py), not the log.
        bound.warning("action refused")
        # The reason is the workflow's, worded in the case's language.
        raise Refused(
            _("{action} refused for {what}: {reason}").format(
                action=action_name(action.name), what=what, reason=reason
            )
        ) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            missing = _("no open duty {what}") if action.duty else _("no open case {what}")
            raise NotFound(f"{action_name(action.name)}: {missing.format(what=what)}") from None
        raise
    bound.info("action taken")
    if isinstance(view, CaseView):  # as `starter.py status --json` gives it: the whole
        # history, every time at +08:00, durations in whole seconds, and its related cases
        out = status_json(await with_history(pool, view))
        out["related"] = related_json(await related.links(pool, case_id))
        return out
    return view.model_dump(mode="json")


def mine(person: Person) -> dict[str, Any]:
    """The worklist filters that restrict it to the person's own cases."""
    return {"mine_name": person.name, "mine_unit": person.unit, "mine_role": person.role,
            "mine_level": person.level, "case_id": person.case_id}  # fmt: skip


def check_case_scope(person: Person, case_id: str) -> None:
    """A party's token reaches its own case only."""
    if person.case_id is not None and person.case_id != case_id:
        raise Refused(
            _("{name}'s token acts on case {case_id} only").format(
                name=person.name, case_id=person.case_id
            )
        )


async def case_detail(
    client: Client, pool: asyncpg.Pool, person: Person, case_id: str, via: str = "api"
) -> dict[str, Any]:
    """The workflow's view of the case, its time left now, its whole history (`events`) from
    the ledger, and what the person may do on it now (`allowed_actions`, the catalogue's
    names, and `allowed_duty_actions`: action, whistle, department); the intake's facts
    (parties with their phones, description, amount, risk factors), its deadline over all
    clocks and each summoned department's duty. Only for the people of the case
    (ledger/worklist.py's `may_read`); every read of the parties is recorded
    (ledger/case_page.py)."""
    if person.is_service:
        raise Refused(_("An intake token may not read cases."))
    check_case_scope(person, case_id)
    if person.case_id is None and not await worklist.may_read(
        pool, case_id, person.name, person.unit, person.role
    ):
        raise Refused(
            _("{name} ({unit}) is not among the units of case {case_id}").format(
                name=person.name, unit=person.unit, case_id=case_id
            )
        )
    handle = client.get_workflow_handle(workflow_id_for(case_id))
    try:
        view = await handle.query(CaseWorkflow.view)
        # What this person may do now, by the checks the workflow's validators run.
        offers = await handle.query(CaseWorkflow.offers, person.actor)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(_("No case {case_id}.").format(case_id=case_id)) from None
        raise
    now = datetime.now(UTC)
    view = time_left.as_of(await with_history(pool, view), now)
    # As `status --json` gives it: every time at +08:00, durations in whole seconds.
    out = status_json(view)
    out["now"] = now.astimezone(LOCAL_ZONE).isoformat()
    out["related"] = related_json(await related.links(pool, case_id))
    out.update(await road_links(pool, case_id))  # `roads`, `from_case`: the court road
    # A road's matter keeps the case's parties and subject: linked already, no look-alike.
    linked = {r["case_id"] for r in out["roads"]} | {out["from_case"]}
    out["similar"] = [c for c in await related.similar_to(pool, case_id, now) if c not in linked]
    out["seconds_left"] = out["remaining_seconds"]
    out["allowed_actions"] = offers.actions
    out["allowed_duty_actions"] = [o.model_dump() for o in offers.duties]
    out["time_left"] = time_left_words(
        view.remaining_seconds, current_lang(), paused=view.status == "paused"
    )
    out.update(await _facts(pool, case_id, now))
    stopped = await halted.halted_now(pool, case_id)
    out["halted"] = status_json_values(stopped) if stopped else None
    if stopped:  # a stopped workflow takes no update: offer none
        out["allowed_actions"], out["allowed_duty_actions"] = [], []
    if out.get("parties"):
        # A merged case's parties read here are that case's parties read: audited there too.
        for read in {case_id, *(p.get("from_case") or case_id for p in out["parties"])}:
            await case_page.record_party_read(pool, person, read, now, via)
    return out


#: What the case page shows of each party: never an id number.
PARTY_FIELDS = ("name", "role", "phone")


async def _facts(pool: asyncpg.Pool, case_id: str, now: datetime) -> dict[str, Any]:
    """The intake's facts, the deadline over all clocks (overdue by how long) and the duties."""
    facts = await case_page.case_facts(pool, case_id)
    if facts is None:
        return {}
    intake = facts["intake"]
    deadline = facts["deadline"]
    parties = [{k: p.get(k) for k in PARTY_FIELDS} for p in intake.get("parties") or []]
    # The parties of each case merged into this one, marked with the case they came with.
    for merged, more in await case_page.merged_parties(pool, case_id):
        parties += [{**{k: p.get(k) for k in PARTY_FIELDS}, "from_case": merged} for p in more]
    seconds = round((deadline - now).total_seconds()) if deadline else None
    level = urgency.urgency(deadline, now)
    return status_json_values(
        {
            "parties": parties,
            "description": intake.get("description"),
            "amount_cny": intake.get("amount_cny"),
            "risk_flags": intake.get("risk_flags") or [],
            "reported_at": intake.get("reported_at"),
            "reported_by": intake.get("reported_by"),
            "deadline": deadline,
            "deadline_clock": facts["deadline_clock"],
            "deadline_seconds": seconds,
            "urgency": level.value,
            "deadline_text": time_left_words(seconds, current_lang()) if deadline else None,
            "visit_due_at": facts["visit_due_at"],
            "duties": await case_page.duties(pool, case_id),
        }
    )


@dataclass
class IntakeAnswer:
    results: list[dict[str, Any]]
    totals: dict[str, int]
    #: Why the run stopped before the last record (a lost server), as `starter.py` says it.
    stopped: str | None = None


#: Seconds an intake request keeps retrying a start Temporal did not answer.
API_RECONNECT_FOR = 10.0


async def intake(client: Client, pool: asyncpg.Pool, text: str, name: str) -> IntakeAnswer:
    """The same contract as `starter.py intake`: one answer per record, in input order."""
    now = datetime.now(UTC)
    try:
        records = parse_intake(text, detect_format(name, text), now=now, lang=current_lang())
    except IntakeFileError as err:
        raise Invalid(f"{name}: {err}") from None  # the intake's own words (cli catalog)
    results: list[dict[str, Any]] = []
    # A request waits for a lost server a little, not the five minutes a file's run waits:
    # the answer says where it stopped, and posting the same records again is safe.
    outcome = await submit(
        iter(records), client, pool, current_policy(now), emit=results.append,
        reconnect_for=API_RECONNECT_FOR,
    )  # fmt: skip
    return IntakeAnswer(results, outcome.totals, outcome.stopped)
