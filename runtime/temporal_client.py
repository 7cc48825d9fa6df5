"""The one way a process of the project connects to Temporal: encrypted, keys checked first;
the API's client signs every update with the actor key (runtime/actor_assertion.py).

`connect()` builds the client with `runtime.codec.data_converter()`, then opens the first
payload of the most recent workflows with the keys in force. A missing or wrong key then stops
the worker, the starter or the API at startup with a clear message, instead of leaving each
case's workflow tasks failing over and over on payloads they cannot decrypt.
"""

from __future__ import annotations

from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest
from temporalio.client import Client
from temporalio.runtime import Runtime

from runtime import config
from runtime.codec import EncryptionCodec, KeyRing, data_converter

#: How many of the newest workflows the startup check opens (one small RPC each).
CHECKED_WORKFLOWS = 5


async def check_keys(client: Client, codec: EncryptionCodec, limit: int = CHECKED_WORKFLOWS):
    """Decrypt the start input of the `limit` newest workflows; raise `PayloadKeyError` (a
    `ConfigError`) naming the workflow when one does not open. Returns how many were opened."""
    opened = 0
    async for execution in client.list_workflows(limit=limit):
        page = await client.workflow_service.get_workflow_execution_history(
            GetWorkflowExecutionHistoryRequest(
                namespace=client.namespace,
                execution={"workflow_id": execution.id, "run_id": execution.run_id},
                maximum_page_size=1,
            )
        )
        for event in page.history.events[:1]:
            for payload in event.workflow_execution_started_event_attributes.input.payloads:
                try:
                    codec.open(payload)
                except config.ConfigError as err:
                    raise type(err)(f"workflow {execution.id}: {err}") from None
                opened += 1
    return opened


async def connect(
    ring: KeyRing | None = None,
    *,
    check: bool = True,
    runtime: Runtime | None = None,
    refuse_plaintext: bool = False,
    sign: bool = False,
) -> Client:
    """A client on the configured Temporal (`runtime.config`), with the project's encrypted
    data converter; `check` opens recent payloads first (see `check_keys`); `runtime` carries
    the worker's metrics; `refuse_plaintext` (the worker's) refuses a payload not encrypted
    (runtime/codec.py); `sign` (the API's) signs every update with the actor key."""
    converter = data_converter(ring, refuse_plaintext=refuse_plaintext)
    # The front door's updates say who acts, signed (runtime/actor_assertion.py): the workers
    # refuse an update that does not. Only the API signs: no other process needs the key.
    signing = []
    if sign:
        # Loaded here, not at the top: it brings the worker's interceptor classes, which a
        # starter never needs (intake's start-up is part of its rate, bench/intake.py).
        from runtime import actor_assertion

        signing = [actor_assertion.SignActor(actor_assertion.load_key())]
    client = await Client.connect(
        **config.temporal_connect_config(),
        data_converter=converter,
        runtime=runtime,
        interceptors=signing,
    )
    if check:
        assert isinstance(converter.payload_codec, EncryptionCodec)
        await check_keys(client, converter.payload_codec)
    return client
