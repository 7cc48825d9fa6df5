"""The codec server: lets Temporal's Web UI and CLI show encrypted payloads to those allowed.

    python -m api.codec_server [--host 127.0.0.1] [--port 8234]

Serves `POST /encode` and `POST /decode`, the endpoints Temporal's UI (`temporal server
start-dev --ui-codec-endpoint URL`) and CLI (`temporal workflow show --codec-endpoint URL`)
call with `{"payloads": [{"metadata": {...}, "data": "..."}]}` (protobuf JSON, bytes in base64),
and answers in the same shape. It holds the payload keys (`runtime.codec.KeyRing.load()`), so
it listens on 127.0.0.1 only by default, and answers browsers only from the UI's origins
(`DISPUTE_CODEC_ORIGINS`, comma-separated, overrides them).

Sign-in is required by default: every request must carry a person's token of the front door
(the API's `tokens`): `Authorization: Bearer <token>`, or the worklist page's sign-in cookie
(`dispute_token`, which a browser sends to the same host whatever the port, when the UI's codec
setting "Include cross-origin credentials" is on). An intake service's token decodes nothing.
A payload is opened only when it belongs to a case the person may read (the API's rule:
`ledger.worklist.may_read`; a party's token reads its own case only): each payload names the
workflow it was sealed for (runtime/codec.py); others come back still encrypted, and so do
payloads sealed before that binding existed. `/encode` answers nobody: encrypting is how an
input reaches the workers, and only the API and the CLI may give them one.

`DISPUTE_CODEC_SIGN_IN=none` turns sign-in off (every payload decodes for whoever reaches the
port, as before; for a single-user machine only), `DISPUTE_CODEC_TOKEN=<secret>` replaces it
with one shared token (a tool's, not a person's: it decodes every case).
"""

from __future__ import annotations

import argparse
import hmac
import re
import sys
from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from domain.naming import case_id_from
from ledger import tokens, worklist
from ledger.tokens import Person
from runtime import config, db
from runtime.codec import ENCODING, EncryptionCodec, KeyRing, workflow_of
from runtime.settings import settings

HOST = "127.0.0.1"
PORT = 8234
TOKEN_ENV = "DISPUTE_CODEC_TOKEN"
SIGN_IN_ENV = "DISPUTE_CODEC_SIGN_IN"

ORIGINS_ENV = "DISPUTE_CODEC_ORIGINS"
UI_ORIGINS = (
    f"http://127.0.0.1:{config.EMBEDDED_UI_PORT}",
    f"http://localhost:{config.EMBEDDED_UI_PORT}",
)


def url(host: str = HOST, port: int = PORT) -> str:
    return f"http://{host}:{port}"


#: Who may read a case: (person, case id) -> bool.
MayRead = Callable[[Person, str], Awaitable[bool]]


def case_of(workflow_id: str) -> str | None:
    """The case a workflow belongs to (a duty's workflow id is its case's plus the whistle)."""
    case_id = case_id_from(workflow_id)
    return re.sub(r"-whistle-\d+-.*$", "", case_id) if case_id else None


def create_app(
    ring: KeyRing,
    *,
    origins: tuple[str, ...] = UI_ORIGINS,
    token: str | None = None,
    people: asyncpg.Pool | None = None,
) -> FastAPI:
    """The codec server over `ring`. With `people` (the ledger's pool: the default), requests
    must bear a person's token and only that person's cases decode; with `token` instead, the
    one shared token; with neither, anyone reaching the port decodes (sign-in turned off)."""
    codec = EncryptionCodec(ring)

    async def may_read(person: Person, case_id: str) -> bool:
        if person.case_id is not None:
            return person.case_id == case_id
        assert people is not None
        return await worklist.may_read(people, case_id, person.name, person.unit, person.role)

    async def signed_in(
        request: Request, authorization: str | None = Header(default=None)
    ) -> Person | None:
        given = (authorization or "").removeprefix("Bearer ").strip()
        if people is not None:
            given = given or request.cookies.get(tokens.SESSION_COOKIE, "")
            person = await tokens.lookup(people, given) if given else None
            if person is None or person.is_service:
                raise HTTPException(
                    status_code=401,
                    detail="sign in: a person's token of the front door is needed "
                    "(Authorization: Bearer, or the worklist page's sign-in)",
                )
            return person
        if token is not None and not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(status_code=401, detail="sign in: a valid bearer token is needed")
        return None

    app = FastAPI(title="dispute-engine codec server")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["POST"],
        allow_headers=["*"],  # the UI's Content-Type, X-Namespace, Authorization and the like
        allow_credentials=True,
    )

    async def payloads_of(request: Request) -> Payloads:
        try:
            return json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError as err:
            raise HTTPException(status_code=400, detail=f"not a Payloads JSON: {err}") from None

    def answer(payloads: list) -> dict:
        return json_format.MessageToDict(Payloads(payloads=payloads))

    @app.post("/encode")
    async def encode() -> dict:
        # Sealing a payload is giving the workers an input; only the front door does that.
        raise HTTPException(
            status_code=403,
            detail="encoding is not offered: act on a case through the front door (the API)",
        )

    @app.post("/decode")
    # A local dependency: FastAPI cannot resolve it from a postponed annotation.
    async def decode(request: Request, person: Person | None = Depends(signed_in)) -> dict:  # noqa: B008
        given = list((await payloads_of(request)).payloads)
        allowed: dict[str, bool] = {}
        out = []
        for payload in given:
            if person is not None and payload.metadata.get("encoding") == ENCODING:
                case_id = case_of(workflow_of(payload) or "")
                if case_id is None:
                    out.append(payload)  # not bound to a case: stays sealed
                    continue
                if case_id not in allowed:
                    allowed[case_id] = await may_read(person, case_id)
                if not allowed[case_id]:
                    out.append(payload)
                    continue
            try:
                out.append(codec.open(payload))
            except config.ConfigError as err:  # a payload under a key this server lacks
                raise HTTPException(status_code=422, detail=str(err)) from None
        return answer(out)

    return app


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m api.codec_server")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args(argv)
    try:
        ring = KeyRing.load()
    except config.ConfigError as err:
        print(f"codec server: {err}", file=sys.stderr)
        return 2
    env = settings()
    origins = tuple(o.strip() for o in env.codec_origins.split(",") if o.strip())
    sign_in = env.codec_sign_in
    if sign_in not in ("api", "none"):
        print(f"codec server: {SIGN_IN_ENV}={sign_in!r}: must be 'api' or 'none'", file=sys.stderr)
        return 2
    people = None
    if sign_in == "api" and not env.codec_token:
        # The ledger holds the front door's tokens; its pool opens on uvicorn's own loop.
        people = _LazyPool()
    app = create_app(ring, origins=origins or UI_ORIGINS, token=env.codec_token, people=people)
    print(f"codec server listening on {url(args.host, args.port)} (keys: {ring.source})")
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


class _LazyPool:
    """The ledger's pool, opened on first use inside the server's event loop."""

    def __init__(self) -> None:
        self._pool: asyncpg.Pool | None = None

    async def _open(self) -> asyncpg.Pool:
        if self._pool is None:
            self._pool = await db.create_pool(config.database_url(), max_size=4)
        return self._pool

    async def fetchrow(self, *args):
        return await (await self._open()).fetchrow(*args)

    async def fetchval(self, *args):
        return await (await self._open()).fetchval(*args)


if __name__ == "__main__":
    sys.exit(main())
