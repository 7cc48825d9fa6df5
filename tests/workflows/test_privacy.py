"""Parties' personal data never reaches Temporal in plaintext.

Cases run through the ladder, a pause, a whistle with its department duties, a change of
mediation track, judicial confirmation and the return visits; then every history is read as
the server holds it (no codec), and every text Temporal may keep unencrypted in some
deployment (search attributes, summaries, static details, current details) is read decoded.
None holds a party's name, phone or id number. Rotation and a missing key are tested on the
dev server through `runtime.temporal_client.connect`, as the worker and the starter connect.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import timedelta

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowHandle
from temporalio.worker import Replayer

from domain.actions import (
    OutcomeInput,
    PauseInput,
    RefuseInput,
    ResumeInput,
    TrackInput,
    VisitInput,
    WhistleInput,
    WithdrawInput,
)
from domain.naming import duty_workflow_id, workflow_id_for
from runtime import codec, temporal_client
from runtime.codec import (
    KEY_ID_FIELD,
    EncryptionCodec,
    KeyRing,
    PayloadKeyError,
    data_converter,
    ensure_key_file,
    key_line,
    rotate_key_file,
)
from service.intake import start_case
from tests import factories
from tests.factories import COUNTY, GRID, TOWNSHIP, Actor
from tests.workflows.test_case import settled, start, view_when
from tests.workflows.test_case_whistle import departments, report  # noqa: F401
from worker import build_worker
from workflows.case import CaseWorkflow

PARTIES = [
    {"name": "欧阳春花", "role": "applicant", "phone": "13912345678",
     "id_number": "110101199003071234"},
    {"name": "司马秋实", "role": "respondent", "phone": "13887654321",
     "id_number": "44030419851231567X"},
]  # fmt: skip
PERSONAL = [p[field] for p in PARTIES for field in ("name", "phone", "id_number")]
DEPARTMENTS = ["police_station", "judicial_office"]


def base64_forms(value: str) -> list[str]:
    """The base64 text `value` becomes inside any base64 string, at each of the 3 alignments
    (the characters that also depend on the bytes around it left out)."""
    data, forms = value.encode(), []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + data).decode()
        forms.append(encoded[(8 * pad + 5) // 6 : (8 * (pad + len(data))) // 6])
    return forms


def test_base64_forms_find_a_value_inside_encoded_json():
    for prefix in ("", "x", "xy"):
        encoded = base64.b64encode(f'{prefix}{{"name": "欧阳春花"}}'.encode()).decode()
        assert any(form in encoded for form in base64_forms("欧阳春花"))


def leaks(text: str) -> list[str]:
    return [v for v in PERSONAL if v in text or any(f in text for f in base64_forms(v))]


def text_of(ring: KeyRing, payload: Payload) -> str:
    """The payload's text, decrypted; a JSON string unquoted (its escapes undone)."""
    text = EncryptionCodec(ring).open(payload).data.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str) else text


async def readable_texts(handle: WorkflowHandle, ring: KeyRing) -> dict[str, list[str]]:
    """Every search attribute, summary and detail the workflow wrote, decoded."""
    found: dict[str, list[str]] = {"search attribute": [], "summary": [], "details": []}
    history = await handle.fetch_history()
    for event in history.events:
        meta = event.user_metadata
        if meta.HasField("summary"):
            found["summary"].append(text_of(ring, meta.summary))
        if meta.HasField("details"):
            found["details"].append(text_of(ring, meta.details))
        for attrs in (
            event.workflow_execution_started_event_attributes.search_attributes,
            event.upsert_workflow_search_attributes_event_attributes.search_attributes,
            event.start_child_workflow_execution_initiated_event_attributes.search_attributes,
        ):
            for name, payload in attrs.indexed_fields.items():
                found["search attribute"].append(f"{name}={text_of(ring, payload)}")
    # Raw: the time-skipping server's datetime attributes trip `handle.describe()`.
    described = await handle._client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=handle._client.namespace, execution={"workflow_id": handle.id}
        )
    )
    meta = described.execution_config.user_metadata
    for kind, field in (("summary", "summary"), ("details", "details")):
        if meta.HasField(field):
            found[kind].append(text_of(ring, getattr(meta, field)))
    return found


async def current_details(handle: WorkflowHandle) -> str:
    meta = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return meta.current_details


async def visit(case: WorkflowHandle, name: str) -> None:
    await case.execute_update(
        CaseWorkflow.visit, VisitInput(actor=GRID, visit=name, result="satisfied")
    )


async def test_no_personal_data_in_history_attributes_summaries_or_details(
    time_env,
    case_worker,
    clean_pool,
    departments,  # noqa: F811
    payload_keys,
):
    await factories.load_roster(clean_pool)
    details: list[str] = []
    red = await start(time_env, case_worker, risk_flags=["group_dispute"], parties=PARTIES)
    await view_when(red, settled)
    details.append(await current_details(red))
    await red.execute_update(
        CaseWorkflow.whistle,
        WhistleInput(actor=TOWNSHIP, kind="routine", reason="boundary fight",
                     departments=DEPARTMENTS),
    )  # fmt: skip
    details.append(await current_details(red))
    for code in DEPARTMENTS:
        await report(time_env, red, code)
    await red.execute_update(
        CaseWorkflow.track,
        TrackInput(actor=TOWNSHIP, to_track="judicial_pre_filing", reason="the court's weight"),
    )
    await red.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=TOWNSHIP, agreement="new fence line"),
    )
    details.append(await current_details(red))
    await time_env.sleep(timedelta(days=2))
    await visit(red, "satisfaction")
    await time_env.sleep(timedelta(days=29))
    await visit(red, "performance")

    ladder = await start(time_env, case_worker, parties=PARTIES)
    await view_when(ladder, settled)
    await ladder.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
    details.append(await current_details(ladder))
    await ladder.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))
    await time_env.sleep(timedelta(days=40))  # climbs to the county
    await ladder.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=COUNTY)
    )
    details.append(await current_details(ladder))
    for name in ("satisfaction", "performance"):
        await visit(ladder, name)
    await ladder.result()

    # The intake's own start (static summary and details, first search attributes); no worker
    # serves its queue here: its first event is what this looks at.
    intake = factories.intake(f"I-{uuid.uuid4().hex[:6]}", parties=PARTIES)
    assert await start_case(time_env.client, intake, factories.DEFAULT_POLICY)
    client = time_env.client
    handles = [red, ladder, client.get_workflow_handle(workflow_id_for(intake.case_id))] + [
        client.get_workflow_handle(duty_workflow_id(red.id, 1, code)) for code in DEPARTMENTS
    ]
    texts: dict[str, list[str]] = {"current details": details}
    for handle in handles:
        raw = (await handle.fetch_history()).to_json()
        assert leaks(raw) == [], f"{handle.id}: personal data in the stored history"
        for kind, found in (await readable_texts(handle, payload_keys)).items():
            texts.setdefault(kind, []).extend(found)
    for kind, found in texts.items():
        for text in found:
            assert leaks(text) == [], f"{kind} holds personal data: {text!r}"

    # The texts were really read (a test that looked at nothing could not fail) ...
    assert any(t.startswith("Township=") for t in texts["search attribute"])
    assert any("ledger: " in t for t in texts["summary"])
    assert any("must report on case" in t for t in texts["summary"])
    assert any(t.startswith("[邻里纠纷/一般]") for t in texts["summary"])  # Chinese by default
    assert any("- 地点：" in t for t in texts["details"])
    assert all("handler" in t for t in texts["current details"] if "**" in t)
    assert any("whistle 1" in t for t in texts["current details"])
    assert any("paused since" in t for t in texts["current details"])
    # ... and the parties are in the case, encrypted: the codec opens them.
    first = (await red.fetch_history()).events[0]
    payload = first.workflow_execution_started_event_attributes.input.payloads[0]
    assert payload.metadata[KEY_ID_FIELD].decode() == payload_keys.newest
    assert all(v in text_of(payload_keys, payload) for v in PERSONAL)


def start_key_id(history) -> str:
    payload = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
    return payload.metadata[KEY_ID_FIELD].decode()


async def connect_fails(ring_text: str, path, match: str) -> None:
    """Once visibility lists the cases, a client whose keys lack theirs stops at connect."""
    path.write_text(ring_text)
    for _ in range(100):
        try:
            await temporal_client.connect()
        except PayloadKeyError as err:
            assert match in str(err)
            return
        await asyncio.sleep(0.1)
    raise AssertionError("connect never refused the keys")


async def test_after_rotation_old_cases_stay_readable_and_a_lost_key_stops_connect(
    dev_env, clean_pool, tmp_path, monkeypatch
):
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", dev_env.client.namespace)
    monkeypatch.delenv(codec.KEYS_ENV, raising=False)
    key_file = tmp_path / "payload.keys"
    monkeypatch.setenv(codec.KEY_FILE_ENV, str(key_file))
    ensure_key_file()
    await factories.load_roster(clean_pool)
    queue = f"cases-{uuid.uuid4().hex[:8]}"

    async def open_case(client, case_id: str) -> WorkflowHandle:
        handle = await client.start_workflow(
            CaseWorkflow.run,
            factories.case_start(case_id, parties=PARTIES),
            id=workflow_id_for(case_id),
            task_queue=queue,
        )
        await view_when(handle, settled, tries=1000)
        return handle

    before = await temporal_client.connect()
    worker = build_worker(before, clean_pool, task_queue=queue, reports_dir=tmp_path / "reports")
    async with worker:
        old = await open_case(before, f"R-{uuid.uuid4().hex[:6]}")
        old_key = KeyRing.load().newest
        new_key = rotate_key_file()
        after = await temporal_client.connect(sign=True)  # as the API connects
        # The worker started before the rotation reads (and answers) payloads under the new key.
        new = await open_case(after, f"R-{uuid.uuid4().hex[:6]}")
        view = await after.get_workflow_handle(old.id).execute_update(
            CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing")
        )
        assert view.paused_since is not None
        assert start_key_id(await old.fetch_history()) == old_key
        assert start_key_id(await new.fetch_history()) == new_key

    old_history = await old.fetch_history()
    await Replayer(
        workflows=[CaseWorkflow], data_converter=data_converter(KeyRing.load())
    ).replay_workflow(old_history)

    await connect_fails(key_line(KeyRing.load().keys[new_key]), key_file, old_key)


@pytest.mark.parametrize(
    ("update", "action"),
    [
        (CaseWorkflow.withdraw, lambda who: WithdrawInput(actor=who, reason="settled")),
        (CaseWorkflow.refuse, lambda who: RefuseInput(actor=who, reason="no mediation")),
    ],
    ids=["withdraw", "refuse"],
)
async def test_a_party_acting_on_the_case_is_not_named_in_its_current_details(
    time_env, case_worker, clean_pool, update, action
):
    await factories.load_roster(clean_pool)
    case = await start(time_env, case_worker, parties=PARTIES)
    await view_when(case, settled)
    await case.execute_update(update, action(Actor(name=PARTIES[0]["name"], role="applicant")))
    assert leaks(await current_details(case)) == []
