"""The FastAPI application: routes, error answers, body-size limits, and its connections.

`create_app()` connects to Temporal and PostgreSQL at start-up (runtime/config.py says
where); tests hand in a client and a pool of their own. It answers in the process's language
(`DISPUTE_LANG`, Chinese by default) unless given one; a request may ask for another with
`?lang=en` (api/text.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path
from temporalio.client import Client
from temporalio.service import RPCError

from api import routes, web
from api.auth import Buckets, TooMany, Unauthorized
from api.service import Problem
from api.text import LANG_COOKIE, _, accepted, current_lang, use_request_lang
from runtime import config, db, temporal_client
from service.errors import problem_lines
from texts import Lang, parse_lang, process_lang

log = structlog.get_logger("api")

#: Largest request body: an intake file, and anything else (an action, a sign-in).
MAX_INTAKE_BYTES = 5 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024


class BodyLimit:
    """Refuses a body larger than the route allows (413), by its Content-Length or, when it
    streams without one, as soon as it grows past the limit."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = MAX_INTAKE_BYTES if scope["path"] == "/api/intake" else MAX_BODY_BYTES
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _too_large(limit)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(limit)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    detail = _("Request body larger than {n} bytes.").format(n=limit)
    return JSONResponse({"detail": detail}, status_code=413)


class RequestLang:
    """Answers each request in one language (api/text.py): `?lang=`, else the page's
    cookie, else (JSON API) `Accept-Language`, else the app's. A page request with `?lang=`
    keeps the choice in the cookie."""

    def __init__(self, app, lang: Lang) -> None:
        self.app = app
        self.lang = lang

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        asked = request.query_params.get("lang")
        api = scope["path"].startswith("/api/")
        accept = accepted(request.headers.get("accept-language")) if api else None
        lang = use_request_lang(asked, request.cookies.get(LANG_COOKIE), self.lang, accept)
        if not asked or api:
            return await self.app(scope, receive, send)

        async def remembering(message):
            if message["type"] == "http.response.start":
                cookie = f"{LANG_COOKIE}={lang.value}; Path=/; Max-Age=31536000; SameSite=Lax"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, remembering)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def problem(request: Request, err: Problem):
        return JSONResponse({"detail": err.message}, status_code=err.status)

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, err: Unauthorized):
        if web.wants_html(request):
            return web.to_sign_in(request)
        log.warning("unauthorized", path=request.url.path, reason=str(err))
        return JSONResponse(
            {"detail": str(err)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(TooMany)
    async def too_many(request: Request, err: TooMany):
        return JSONResponse({"detail": str(err)}, status_code=429, headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError):
        # In the request's language, as every other answer (service/errors.py).
        text = problem_lines(err.errors(), current_lang())
        return JSONResponse({"detail": text}, status_code=422)

    @app.exception_handler(RPCError)
    async def unreachable(request: Request, err: RPCError):
        log.error("temporal error", error=str(err), path=request.url.path)
        detail = _("Cannot reach Temporal: {error}").format(error=err)
        return JSONResponse({"detail": detail}, status_code=503)


def _docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the swagger-ui-bundle package's files."""
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )


def create_app(
    client: Client | None = None, pool: asyncpg.Pool | None = None, lang: Lang | str | None = None
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_pool = pool is None
        if client is None:
            # Encrypted like every client of the project; stops here on a missing or wrong key.
            app.state.client = await temporal_client.connect()
        if own_pool:
            app.state.pool = await db.create_pool(config.database_url())
        if own_pool:
            await db.migrate(app.state.pool)
        log.info("api started")
        try:
            yield
        finally:
            if own_pool:
                await app.state.pool.close()

    app = FastAPI(
        docs_url=None,  # served below from local files: no CDN on a county's intranet
        redoc_url=None,
        title="Dispute engine",
        summary="Act on dispute cases as the person your token names; read your worklist.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.buckets = Buckets()
    if client is not None:
        app.state.client = client
    if pool is not None:
        app.state.pool = pool
    _errors(app)
    app.include_router(routes.router)
    app.include_router(web.router)
    _docs(app)
    app.add_middleware(BodyLimit)
    # Outermost, so that every answer (a body too large included) speaks the request's language.
    app.add_middleware(RequestLang, lang=parse_lang(lang) if lang else process_lang())
    return app
