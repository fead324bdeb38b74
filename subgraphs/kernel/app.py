"""The app factory: a domain's Strawberry federation schema -> a Starlette ASGI app.

Routes: `POST/GET /graphql` (and WebSocket `/graphql`: subscriptions over
`graphql-transport-ws`), `GET /health` (liveness) and `GET /ready` (database answers and the
subgraph's Alembic branch is at head). The lifespan owns the engine and session factory, the
access-token verifier (`app.state.token_verifier`, JWKS from `EHB_JWKS_URL`), the event bus
(`app.state.events`, `EHB_BROADCAST_URL`) and the outbox relay (docs/events.md), then enters
the subgraph's own `lifespan` (if any) for its other resources.

Every GraphQL request's `Authorization: Bearer` token is verified before the operation runs: no
header means an anonymous viewer; a bad token answers the whole request with one UNAUTHENTICATED
error (HTTP 200, `WWW-Authenticate: Bearer error="invalid_token"`) and runs nothing. A WebSocket
carries its token in `connection_init`'s payload (`{"Authorization": "Bearer <jwt>"}`; the
upgrade request's header when the payload has none), verified the same way: a bad token closes
the connection with 4403 Forbidden, as graphql-transport-ws says.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import MetaData, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.federation import Schema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from subgraphs.kernel.auth import KeysUnavailable, open_token_verifier
from subgraphs.kernel.context import (
    ANONYMOUS,
    REQUEST_ID_HEADER,
    SubgraphContext,
    build_context,
    viewer_for,
    viewer_from,
)
from subgraphs.kernel.db import Database, open_database
from subgraphs.kernel.errors import Unauthenticated
from subgraphs.kernel.events import open_event_bus, running_relay
from subgraphs.kernel.extensions import KERNEL_EXTENSIONS, quiet_strawberry_error_log
from subgraphs.kernel.log_context import REQUEST_ID
from subgraphs.kernel.metrics import metrics_route
from subgraphs.kernel.migrations import pending_migration_reason
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.statement_timing import reporting_send, tallying
from subgraphs.kernel.telemetry import ObservedEndpoint, ObservedGraphQL, SubgraphTelemetry

logger = logging.getLogger("subgraphs.kernel")

_CONTEXT_SCOPE_KEY = "ehb.context"
_VIEWER_SCOPE_KEY = "ehb.viewer"

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
"""A subgraph's own resources: entered after the database opens, left before it closes."""


class _GraphQLView(ObservedGraphQL):
    """Strawberry's ASGI view with our per-request context (session from the lifespan)."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> SubgraphContext:
        database: Database = request.app.state.database
        viewer = request.scope.get(_VIEWER_SCOPE_KEY, ANONYMOUS)
        context = build_context(request, database.sessions(), viewer)
        REQUEST_ID.set(context.request_id)
        request.scope[_CONTEXT_SCOPE_KEY] = context
        if isinstance(response, Response):
            response.headers[REQUEST_ID_HEADER] = context.request_id
        return context

    async def on_ws_connect(self, context: SubgraphContext) -> UnsetType | dict[str, object] | None:
        """Verify the token in `connection_init`'s payload; a bad one refuses the connection."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is None:
            authorization = context.request.headers.get("authorization")
        try:
            if authorization is not None and not isinstance(authorization, str):
                raise Unauthenticated("Authorization must be a string 'Bearer <token>'.")
            context.viewer = await viewer_for(context.request, authorization)
        except Unauthenticated as exc:
            raise ConnectionRejectionError(
                {"message": exc.message, "extensions": exc.extensions}
            ) from exc
        return await super().on_ws_connect(context)


class _GraphQLEndpoint:
    """Runs the view and always closes the request's session, whatever happened."""

    def __init__(self, view: _GraphQLView, *, statement_timing: bool = False) -> None:
        self._view = view
        self._statement_timing = statement_timing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if scope["type"] == "http":
                scope[_VIEWER_SCOPE_KEY] = await viewer_from(Request(scope))
        except Unauthenticated as exc:
            body = {
                "data": None,
                "errors": [{"message": exc.message, "extensions": exc.extensions}],
            }
            if isinstance(exc, KeysUnavailable):
                await JSONResponse(body, status_code=503)(scope, receive, send)
                return
            headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            await JSONResponse(body, headers=headers)(scope, receive, send)
            return
        try:
            if scope["type"] == "http" and self._statement_timing:
                with tallying() as tally:
                    await self._view(scope, receive, reporting_send(send, tally))
            else:
                await self._view(scope, receive, send)
        finally:
            context = scope.get(_CONTEXT_SCOPE_KEY)
            if isinstance(context, SubgraphContext):
                await context.session.close()


def _relays_here(app: Starlette, database_url: str) -> bool:
    """One of several workers (`app.state.worker_index`, subgraphs.kernel.serve) relays only on
    PostgreSQL, whose advisory lock keeps relays from racing; on SQLite only worker 0 does."""
    first_worker = getattr(app.state, "worker_index", 0) == 0
    return first_worker or database_url.startswith("postgresql")


def installed_version() -> str:
    """The installed `ehb5` distribution's version (reported by `GET /health`)."""
    try:
        return version("ehb5")
    except PackageNotFoundError:
        return "0+unknown"


def _require_kernel_extensions(name: str, schema: Schema) -> None:
    missing = [ext.__name__ for ext in KERNEL_EXTENSIONS if ext not in schema.extensions]
    if missing:
        raise ValueError(
            f"{name}: build the schema with `extensions=KERNEL_EXTENSIONS` "
            f"(from subgraphs.kernel.extensions); missing {', '.join(missing)}"
        )


def _require_table_prefix(name: str, metadata: MetaData) -> None:
    strays = [table for table in metadata.tables if not table.startswith(f"{name}_")]
    if strays:
        raise ValueError(f"{name}: every table must be prefixed '{name}_': {', '.join(strays)}")


def create_subgraph_app(
    name: str,
    schema: Schema,
    *,
    settings: Settings | None = None,
    models_metadata: MetaData,
    extra_routes: Sequence[BaseRoute] = (),
    lifespan: Lifespan | None = None,
) -> Starlette:
    """Build subgraph `name`'s ASGI app. Nothing connects until the lifespan starts.

    `lifespan(app)`, when given, runs inside the kernel's: `app.state.database`,
    `app.state.token_verifier` and `app.state.events` are open while it is entered (it may
    replace the verifier), and it is left before they close. The outbox relay runs meanwhile
    unless `EHB_OUTBOX_RELAY` is off."""
    _require_kernel_extensions(name, schema)
    _require_table_prefix(name, models_metadata)
    quiet_strawberry_error_log()
    settings = settings or Settings()
    database_url = settings.database_url(name)
    running_version = installed_version()
    telemetry = SubgraphTelemetry(name, settings)

    @asynccontextmanager
    async def kernel_lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.database = open_database(database_url, settings)
        telemetry.start(app.state.database.engine)
        try:
            async with (
                open_token_verifier(settings) as verifier,
                open_event_bus(settings.broadcast_url) as events,
            ):
                app.state.token_verifier = verifier
                app.state.events = events
                async with AsyncExitStack() as stack:
                    if settings.outbox_relay and _relays_here(app, database_url):
                        app.state.outbox_relay = await stack.enter_async_context(
                            running_relay(name, events, settings)
                        )
                    if lifespan is not None:
                        await stack.enter_async_context(lifespan(app))
                    yield
        finally:
            await telemetry.shutdown()
            await app.state.database.dispose()

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "pass", "subgraph": name, "version": running_version})

    async def ready(request: Request) -> Response:
        database: Database = request.app.state.database
        try:
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            reason = await pending_migration_reason(database.engine, name)
        except Exception as exc:
            logger.warning("%s: readiness check failed", name, exc_info=exc)
            reason = f"database unreachable: {type(exc).__name__}"
        if reason is not None:
            return JSONResponse({"status": "fail", "subgraph": name, "reason": reason}, 503)
        return JSONResponse({"status": "pass", "subgraph": name})

    view = _GraphQLView(
        schema,
        graphql_ide=None if settings.is_production else "graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )
    endpoint = _GraphQLEndpoint(view, statement_timing=settings.sql_statement_timing)
    app = Starlette(
        routes=[
            Route("/graphql", ObservedEndpoint(endpoint, telemetry), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", ObservedEndpoint(endpoint, telemetry)),
            Route("/health", health, methods=["GET"]),
            Route("/ready", ready, methods=["GET"]),
            metrics_route(telemetry.metrics),
            *extra_routes,
        ],
        lifespan=kernel_lifespan,
    )
    app.state.subgraph = name
    app.state.settings = settings
    return app
