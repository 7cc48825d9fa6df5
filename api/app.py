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

from api import csrf, refusals, report_duties, routes, web
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

#: What asyncpg raises when PostgreSQL is down or goes away mid-request (503, not 500).
DATABASE_DOWN: tuple[type[Exception], ...] = (
    OSError,  # connection refused, reset, no route
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # a connection closed under the pool
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, cannot connect now
    TimeoutError,
)


class BodyLimit:
    """Refuses a body larger than the route allows (413): at once by its Content-Length, and a
    body that streams without one (chunked) is read up to the limit before any route sees it,
    so the answer is 413 however the body came, never a parser's 400."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = MAX_INTAKE_BYTES if scope["path"] == "/api/intake" else MAX_BODY_BYTES
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit():
            if int(length) > limit:
                return await _too_large(limit)(scope, receive, send)
            return await self.app(scope, receive, send)
        # No length given: read the body here, up to the limit, then hand it on.
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > limit:
                return await _too_large(limit)(scope, receive, send)
            if not message.get("more_body", False):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


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
        if err.status in (401, 403, 422):
            await refusals.record(request, err.status, err.message)
        return JSONResponse({"detail": err.message}, status_code=err.status)

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, err: Unauthorized):
        await refusals.record(request, 401, str(err))
        if web.wants_html(request):
            return web.to_sign_in(request)
        log.warning("unauthorized", path=request.url.path, reason=str(err))
        return JSONResponse(
            {"detail": str(err)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(csrf.Forbidden)
    async def forbidden(request: Request, err: csrf.Forbidden):
        await refusals.record(request, 403, str(err))
        if web.wants_html(request):
            return HTMLResponse(str(err), status_code=403)
        return JSONResponse({"detail": str(err)}, status_code=403)

    @app.exception_handler(TooMany)
    async def too_many(request: Request, err: TooMany):
        return JSONResponse({"detail": str(err)}, status_code=429, headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError):
        # In the request's language, as every other answer (service/errors.py).
        text = problem_lines(err.errors(), current_lang())
        await refusals.record(request, 422, text)
        return JSONResponse({"detail": text}, status_code=422)

    async def database_down(request: Request, err: Exception):
        # One line, no traceback: the database is down, and the answer says which one.
        log.error("database unreachable", error=type(err).__name__, path=request.url.path)
        detail = _("The database (PostgreSQL, from {source}) cannot be reached: {error}").format(
            source=config.database_source(), error=type(err).__name__
        )
        return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "5"})

    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, database_down)

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
            app.state.client = await temporal_client.connect(sign=True)
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
    app.include_router(report_duties.router)
    app.include_router(web.router)
    _docs(app)
    app.add_middleware(BodyLimit)
    # Before any route (and any body is read): a form of another site acts on nothing.
    app.add_middleware(csrf.SameOrigin)
    # Outermost, so that every answer (a body too large included) speaks the request's language.
    app.add_middleware(RequestLang, lang=parse_lang(lang) if lang else process_lang())
    return app
