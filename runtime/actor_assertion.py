"""Only the front door names who acts: a signed actor assertion on every update.

Anyone who reaches Temporal's port can send `temporal workflow update execute --name pause -i
'{"actor": {...}}'` with any actor. So the API (and the operator's CLI on the server host) sign
who acts: each update carries, in its header `dispute-actor`, an assertion

    {"v": 1, "exp": <unix seconds>, "mac": <hex HMAC-SHA256>}

whose MAC binds the workflow id, the update's name, the expiry and the actor the update names
(`actor` of its input, as canonical JSON). The key (32 random bytes) is held by the API, the
CLI and the workers only; the assertion itself carries no personal data (Temporal keeps update
headers unencrypted in its history). The workers' interceptor (`ActorCheck`) refuses, in the
update's validator, an update without an assertion, with an expired one, or one signed for
another actor, workflow or update, and queues the refusal for the audit (runtime/refusals.py,
drained into the ledger by the worker). Signals, queries and the workflows' own traffic (the duty's
child signals the case) are not updates of a person and pass untouched.

Where the key comes from, like the payload keys (runtime/codec.py):

- `DISPUTE_ACTOR_KEY`: the key itself, base64;
- else `DISPUTE_ACTOR_KEY_FILE`: a file holding it;
- else `<data dir>/keys/actor.key`, which `make run` creates (mode 0600) the first time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from typing import Any

from temporalio import client as tclient
from temporalio import converter, workflow
from temporalio.api.common.v1 import Payload
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from runtime import config
from runtime.refusals import Refusal, refusals
from runtime.settings import settings

HEADER = "dispute-actor"
KEY_ENV = "DISPUTE_ACTOR_KEY"
KEY_FILE_ENV = "DISPUTE_ACTOR_KEY_FILE"
KEY_BYTES = 32
#: How long an assertion stays good: long enough for a busy worker to validate the update,
#: short enough that a header copied out of a history is soon worthless.
LIFETIME_SECONDS = 120
#: The error type of a refused assertion (the API never sees it: it always signs).
REFUSED_TYPE = "ActorAssertionRefused"


class ActorKeyError(config.ConfigError):
    """The actor key is missing or unreadable; the message says where it was looked for."""


def default_key_file() -> Path:
    return config.data_dir() / "keys" / "actor.key"


def key_file() -> Path:
    override = settings().actor_key_file
    return Path(override).resolve() if override else default_key_file()


def _parse(text: str, source: str) -> bytes:
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    encoded = "".join(lines)
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ActorKeyError(f"{source}: the actor key is not base64") from None
    if len(key) != KEY_BYTES:
        raise ActorKeyError(f"{source}: the actor key has {len(key)} bytes, needs {KEY_BYTES}")
    return key


def load_key() -> bytes:
    """The actor key in force; a clear error when there is none."""
    inline = settings().actor_key
    if inline:
        return _parse(inline, KEY_ENV)
    path = key_file()
    try:
        return _parse(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise ActorKeyError(
            f"no actor key: {path} does not exist. `make run` creates it; or set {KEY_ENV} "
            f"(the key, base64) or {KEY_FILE_ENV} (a file holding it). The API, the CLI and the "
            "workers need the same key"
        ) from None
    except OSError as err:
        raise ActorKeyError(f"cannot read actor key file {path}: {err.strerror}") from None


def ensure_key_file() -> str:
    """Create the actor key file (mode 0600) if there is none; never overwrite one."""
    if settings().actor_key:
        load_key()
        return f"actor key from {KEY_ENV}"
    path = key_file()
    if path.exists():
        load_key()
        return f"actor key in {path}"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return f"actor key in {path}"
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# The actor key: the API, the CLI and the workers sign and check who acts.\n")
        out.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n")
    return f"created actor key {path}"


def actor_of(args: Any) -> str:
    """The canonical JSON of the actor an update's input names ('' when it names none)."""
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    actor = getattr(first, "actor", None)
    if actor is None:
        return ""
    if hasattr(actor, "model_dump"):
        actor = actor.model_dump(mode="json")
    return json.dumps(actor, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _mac(key: bytes, workflow_id: str, update: str, expires: int, actor: str) -> str:
    message = "\0".join(("v1", workflow_id, update, str(expires), actor)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(key: bytes, workflow_id: str, update: str, args: Any, now: float | None = None) -> dict:
    expires = int((time.time() if now is None else now) + LIFETIME_SECONDS)
    return {"v": 1, "exp": expires, "mac": _mac(key, workflow_id, update, expires, actor_of(args))}


def verify(
    key: bytes, assertion: Any, workflow_id: str, update: str, args: Any, now: float | None = None
) -> str | None:
    """None when `assertion` vouches for this update's actor; else why not (English, audit)."""
    if assertion is None:
        return "no actor assertion: only the front door (the API) may act on a case"
    if not isinstance(assertion, dict) or assertion.get("v") != 1:
        return "malformed actor assertion"
    expires, mac = assertion.get("exp"), assertion.get("mac")
    if not isinstance(expires, int) or not isinstance(mac, str):
        return "malformed actor assertion"
    if expires < (time.time() if now is None else now):
        return "expired actor assertion"
    if expires > (time.time() if now is None else now) + LIFETIME_SECONDS + 60:
        return "actor assertion expires too late"
    expected = _mac(key, workflow_id, update, expires, actor_of(args))
    if not hmac.compare_digest(expected, mac):
        return "actor assertion does not match this actor, case or update"
    return None


_JSON = converter.JSONPlainPayloadConverter()


def header_payload(assertion: dict) -> Payload:
    payload = _JSON.to_payload(assertion)
    assert payload is not None
    return payload


def header_value(headers: Any) -> Any:
    payload = (headers or {}).get(HEADER)
    if payload is None:
        return None
    try:
        return _JSON.from_payload(payload, None)
    except Exception:
        return "unreadable"


# -- the client side: the API and the CLI sign -------------------------------------------------


class SignActor(tclient.Interceptor):
    """A client interceptor that signs every update it sends with the actor key."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def intercept_client(self, next: tclient.OutboundInterceptor) -> tclient.OutboundInterceptor:
        return _SigningOutbound(next, self.key)


class _SigningOutbound(tclient.OutboundInterceptor):
    def __init__(self, next: tclient.OutboundInterceptor, key: bytes) -> None:
        super().__init__(next)
        self.key = key

    async def start_workflow_update(self, input: tclient.StartWorkflowUpdateInput):
        assertion = sign(self.key, input.id, input.update, input.args)
        input.headers = {**(input.headers or {}), HEADER: header_payload(assertion)}
        return await super().start_workflow_update(input)


# -- the worker side: validators refuse, the refusals are audited ------------------------------


class ActorCheck(Interceptor):
    """The worker interceptor: every update of a workflow must carry a valid assertion."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        key = self.key

        class _Inbound(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                return await super().execute_workflow(input)

            def handle_update_validator(self, input: HandleUpdateInput) -> None:
                # Validators never run on replay: a key rotation cannot change a history.
                wid = workflow.info().workflow_id
                why = verify(key, header_value(input.headers), wid, input.update, input.args)
                if why is not None:
                    refusals.put(Refusal(wid, input.update, actor_of(input.args), why))
                    raise ApplicationError(why, type=REFUSED_TYPE, non_retryable=True)
                super().handle_update_validator(input)

        return _Inbound
