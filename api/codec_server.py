"""The codec server: lets Temporal's Web UI and CLI show encrypted payloads to those allowed.

    python -m api.codec_server [--host 127.0.0.1] [--port 8234]

Serves `POST /encode` and `POST /decode`, the endpoints Temporal's UI (`temporal server
start-dev --ui-codec-endpoint URL`) and CLI (`temporal workflow show --codec-endpoint URL`)
call with `{"payloads": [{"metadata": {...}, "data": "..."}]}` (protobuf JSON, bytes in base64),
and answers in the same shape. It holds the payload keys (`runtime.codec.KeyRing.load()`), so
it listens on 127.0.0.1 only by default, and answers browsers only from the UI's origins
(`DISPUTE_CODEC_ORIGINS`, comma-separated, overrides them).

Sign-in: with `DISPUTE_CODEC_SIGN_IN=api`, every request must carry a person's token of the
front door (the API's `tokens`): `Authorization: Bearer <token>`, or the worklist page's
sign-in cookie (`dispute_token`, which a browser sends to the same host whatever the port,
when the UI's codec setting includes credentials). An intake service's token decodes nothing.
With `DISPUTE_CODEC_TOKEN` set instead, requests must bear that one shared token. Neither is set
on the embedded stack, whose codec server listens on 127.0.0.1 only, so that the bundled Web UI
(which sends no credentials by default) decodes for the clerk at this machine.
"""

from __future__ import annotations

import argparse
import hmac
import os
import sys

import asyncpg
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from ledger import tokens
from runtime import config, db
from runtime.codec import EncryptionCodec, KeyRing

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


def create_app(
    ring: KeyRing,
    *,
    origins: tuple[str, ...] = UI_ORIGINS,
    token: str | None = None,
    people: asyncpg.Pool | None = None,
) -> FastAPI:
    """The codec server over `ring`; with `token`, requests must bear it; with `people` (the
    ledger's pool), they must bear a person's token of the front door (bearer or cookie)."""
    codec = EncryptionCodec(ring)

    async def require_sign_in(
        request: Request, authorization: str | None = Header(default=None)
    ) -> None:
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
            return
        if token is None:
            return
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(status_code=401, detail="sign in: a valid bearer token is needed")

    app = FastAPI(title="dispute-engine codec server", dependencies=[Depends(require_sign_in)])
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
    async def encode(request: Request) -> dict:
        return answer(await codec.encode(list((await payloads_of(request)).payloads)))

    @app.post("/decode")
    async def decode(request: Request) -> dict:
        try:
            return answer(await codec.decode(list((await payloads_of(request)).payloads)))
        except config.ConfigError as err:  # a payload under a key this server lacks
            raise HTTPException(status_code=422, detail=str(err)) from None

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
    origins = tuple(o.strip() for o in os.environ.get(ORIGINS_ENV, "").split(",") if o.strip())
    sign_in = os.environ.get(SIGN_IN_ENV, "")
    if sign_in not in ("", "api"):
        print(f"codec server: {SIGN_IN_ENV}={sign_in!r}: must be 'api' or unset", file=sys.stderr)
        return 2
    people = None
    if sign_in == "api":
        # The ledger holds the front door's tokens; its pool opens on uvicorn's own loop.
        people = _LazyPool()
    app = create_app(
        ring, origins=origins or UI_ORIGINS, token=os.environ.get(TOKEN_ENV), people=people
    )
    print(f"codec server listening on {url(args.host, args.port)} (keys: {ring.source})")
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


class _LazyPool:
    """The ledger's pool, opened on first use inside the server's event loop."""

    def __init__(self) -> None:
        self._pool: asyncpg.Pool | None = None

    async def fetchrow(self, *args):
        if self._pool is None:
            self._pool = await db.create_pool(config.database_url(), max_size=4)
        return await self._pool.fetchrow(*args)


if __name__ == "__main__":
    sys.exit(main())
