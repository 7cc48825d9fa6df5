"""The codec server: lets Temporal's Web UI and CLI show encrypted payloads to those allowed.

    python -m runtime.codec_server [--host 127.0.0.1] [--port 8234]

Serves `POST /encode` and `POST /decode`, the endpoints Temporal's UI (`temporal server
start-dev --ui-codec-endpoint URL`) and CLI (`temporal workflow show --codec-endpoint URL`)
call with `{"payloads": [{"metadata": {...}, "data": "..."}]}` (protobuf JSON, bytes in base64),
and answers in the same shape. It holds the payload keys (`runtime.codec.KeyRing.load()`), so
it listens on 127.0.0.1 only by default, and answers browsers only from the UI's origins
(`DISPUTE_CODEC_ORIGINS`, comma-separated, overrides them).

Sign-in: when `DISPUTE_CODEC_TOKEN` is set, every request must carry `Authorization: Bearer
<token>`. This is the hook for the HTTP API's sign-in (front-door issue): once it exists, the
check in `require_sign_in` should accept that API's session instead of a shared token.
"""

from __future__ import annotations

import argparse
import hmac
import os
import sys

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from runtime import config
from runtime.codec import EncryptionCodec, KeyRing

HOST = "127.0.0.1"
PORT = 8234
TOKEN_ENV = "DISPUTE_CODEC_TOKEN"
ORIGINS_ENV = "DISPUTE_CODEC_ORIGINS"
UI_ORIGINS = (
    f"http://127.0.0.1:{config.EMBEDDED_UI_PORT}",
    f"http://localhost:{config.EMBEDDED_UI_PORT}",
)


def url(host: str = HOST, port: int = PORT) -> str:
    return f"http://{host}:{port}"


def create_app(
    ring: KeyRing, *, origins: tuple[str, ...] = UI_ORIGINS, token: str | None = None
) -> FastAPI:
    """The codec server over `ring`; with `token`, requests must bear it."""
    codec = EncryptionCodec(ring)

    def require_sign_in(authorization: str | None = Header(default=None)) -> None:
        if token is None:
            return
        given = (authorization or "").removeprefix("Bearer ").strip()
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

    parser = argparse.ArgumentParser(prog="python -m runtime.codec_server")
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args(argv)
    try:
        ring = KeyRing.load()
    except config.ConfigError as err:
        print(f"codec server: {err}", file=sys.stderr)
        return 2
    origins = tuple(o.strip() for o in os.environ.get(ORIGINS_ENV, "").split(",") if o.strip())
    app = create_app(ring, origins=origins or UI_ORIGINS, token=os.environ.get(TOKEN_ENV))
    print(f"codec server listening on {url(args.host, args.port)} (keys: {ring.source})")
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
