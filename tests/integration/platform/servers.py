"""The whole platform for integration tests: the six real subgraphs on migrated, seeded SQLite
databases and the router from the checked-in supergraph, each served by uvicorn in the test's
event loop on a loopback socket bound up front (so every URL is known before any app exists,
which `EHB_OBSERVED_SERVICES` needs, and no port can be taken by someone else meanwhile).

Tokens are wired as in production: the router (`RouterConfig.jwks_url`) and every subgraph
(`Settings.jwks_url`) verify bearer tokens against identity's `/.well-known/jwks.json`, and
`Platform.mint` signs tokens with identity's own keys (so tests can act as any seeded user).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from router.config import RouterConfig
from router.http.app import create_router_app
from router.operation.limits import OperationLimits
from subgraphs import SUBGRAPH_NAMES
from subgraphs.identity.keys import generate_signing_key
from subgraphs.kernel.demo import demo_user_id
from subgraphs.kernel.seeding import seed_demo_data
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import migrated_settings
from subgraphs.money.encryption import FieldKey
from tests.fixtures.benchmark.loopback import bind_ephemeral_socket, serve_on_socket
from tests.fixtures.tokens import JWKS_PATH, TokenMint

REPO_ROOT = Path(__file__).resolve().parents[3]
SUPERGRAPH_PATH = REPO_ROOT / "schema" / "supergraph.graphql"
ADMIN_ID = demo_user_id("erin")  # the seeded administrator


class RecordingApp:
    """Wraps a subgraph app and keeps the body of every ``POST /graphql`` it receives, so tests
    can count the requests the router sends (and read their representations)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.bodies.append(b"".join(chunks))
            return message

        await self.app(scope, recording_receive, send)


def base_url(sock: socket.socket) -> str:
    port: int = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class Served:
    """One app served on a pre-bound loopback socket."""

    name: str
    app: Starlette
    recorder: RecordingApp
    base_url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def health_url(self) -> str:
        return f"{self.base_url}/health"

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


async def serve_on(name: str, app: Starlette, sock: socket.socket) -> Served:
    recorder = RecordingApp(app)
    served = await serve_on_socket(recorder, sock, lifespan="on")
    return Served(
        name=name,
        app=app,
        recorder=recorder,
        base_url=served.base_url,
        server=served.server,
        task=served.task,
    )


def create_subgraph(name: str, settings: Settings) -> Starlette:
    app: Starlette = importlib.import_module(f"subgraphs.{name}.app").create_app(settings)
    return app


def production_signing_keys() -> str:
    """A fresh EHB_IDENTITY_SIGNING_KEYS document (production mode generates no keys)."""
    return orjson.dumps({"keys": [generate_signing_key().as_dict(private=True)]}).decode()


def create_router(
    subgraph_urls: Mapping[str, str],
    jwks_url: str | None = None,
    operation_limits: OperationLimits | None = None,
) -> Starlette:
    """``operation_limits``: the router's defaults unless given."""
    return create_router_app(
        SUPERGRAPH_PATH.read_text(),
        subgraph_urls=dict(subgraph_urls),
        config=RouterConfig(
            health_probe_timeout_seconds=2.0,
            subgraph_connect_timeout_seconds=2.0,
            jwks_url=jwks_url,
            operation_limits=operation_limits or OperationLimits(),
        ),
    )


@dataclass
class Platform:
    """The running platform: the router and the six subgraphs by name."""

    router: Served
    subgraphs: dict[str, Served]
    settings: dict[str, Settings]
    mint: TokenMint
    jwks_url: str
    servers: list[Served] = field(default_factory=list)

    def bearer(self, user_id: str, *roles: str) -> dict[str, str]:
        """`Authorization` headers with a token for `user_id` with lower-case `roles`, valid for
        an hour (a platform serves a whole test session)."""
        return self.mint.bearer(user_id, *roles, lifetime=3600)

    def admin_headers(self) -> dict[str, str]:
        """A token of the seeded administrator, who may see every field."""
        return self.bearer(ADMIN_ID, "user", "admin")

    @property
    def graphql_url(self) -> str:
        return self.router.graphql_url

    def engine(self, name: str) -> AsyncEngine:
        """The SQLAlchemy engine subgraph `name` serves from (for counting statements)."""
        engine: AsyncEngine = self.subgraphs[name].app.state.database.engine
        return engine

    async def stop(self) -> None:
        for served in reversed(self.servers):
            await served.stop()


async def prepare_databases(directory: Path) -> dict[str, Settings]:
    """Every subgraph's SQLite database under `directory`, migrated to head and seeded."""
    settings: dict[str, Settings] = {}
    for name in SUBGRAPH_NAMES:
        settings[name] = await migrated_settings(name, directory)
        await seed_demo_data(name, settings[name])
    return settings


MONEY_ENCRYPTION_KEYS = "EHB_MONEY_ENCRYPTION_KEYS"
PAYMENTS_WEBHOOK_SECRET = "EHB_PAYMENTS_WEBHOOK_SECRET"


@contextlib.contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


@contextlib.contextmanager
def money_production_secrets() -> Iterator[None]:
    """Production refuses to start money without its field-encryption keys and webhook secret
    (read from the environment while it runs); this run's own, unless the environment has them."""
    keys = os.environ.get(MONEY_ENCRYPTION_KEYS) or FieldKey.generate().entry()
    webhook_secret = os.environ.get(PAYMENTS_WEBHOOK_SECRET) or secrets.token_urlsafe(32)
    with (
        environment(MONEY_ENCRYPTION_KEYS, keys),
        environment(PAYMENTS_WEBHOOK_SECRET, webhook_secret),
    ):
        yield


async def start_platform(
    settings: dict[str, Settings], operation_limits: OperationLimits | None = None
) -> Platform:
    sockets = {name: bind_ephemeral_socket() for name in ("router", *SUBGRAPH_NAMES)}
    observed = ",".join(f"{name}={base_url(sock)}/health" for name, sock in sockets.items())
    jwks_url = f"{base_url(sockets['identity'])}{JWKS_PATH}"
    update: dict[str, Any] = {"jwks_url": jwks_url}
    if settings["identity"].is_production and settings["identity"].identity_signing_keys is None:
        update["identity_signing_keys"] = SecretStr(production_signing_keys())
    settings = {name: config.model_copy(update=update) for name, config in settings.items()}
    mint = TokenMint.for_identity(settings["identity"])
    # observability reads its targets when its app is created.
    with environment("EHB_OBSERVED_SERVICES", observed):
        apps = {name: create_subgraph(name, settings[name]) for name in SUBGRAPH_NAMES}
    subgraph_urls = {name: f"{base_url(sockets[name])}/graphql" for name in SUBGRAPH_NAMES}
    servers: list[Served] = []
    try:
        for name in SUBGRAPH_NAMES:
            servers.append(await serve_on(name, apps[name], sockets[name]))
        router = await serve_on(
            "router", create_router(subgraph_urls, jwks_url, operation_limits), sockets["router"]
        )
        servers.append(router)
    except BaseException:
        for served in reversed(servers):
            await served.stop()
        raise
    return Platform(
        router=router,
        subgraphs={served.name: served for served in servers if served.name != "router"},
        settings=settings,
        mint=mint,
        jwks_url=jwks_url,
        servers=servers,
    )


@contextlib.contextmanager
def recorded_requests(platform: Platform) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The GraphQL requests (decoded bodies) each subgraph receives while the block runs."""
    starts = {name: len(served.recorder.bodies) for name, served in platform.subgraphs.items()}
    seen: dict[str, list[dict[str, Any]]] = {}
    try:
        yield seen
    finally:
        for name, served in platform.subgraphs.items():
            seen[name] = [orjson.loads(body) for body in served.recorder.bodies[starts[name] :]]


@dataclass
class Detour:
    """A second router whose `subgraph` is a fresh copy of the platform's (same database), so a
    test can stop it, or meet it with cold connection pools, without touching the shared one."""

    router: Served
    subgraph: Served


@contextlib.asynccontextmanager
async def detour(platform: Platform, name: str) -> AsyncIterator[Detour]:
    subgraph_sock, router_sock = bind_ephemeral_socket(), bind_ephemeral_socket()
    copy = await serve_on(name, create_subgraph(name, platform.settings[name]), subgraph_sock)
    urls = {other: served.graphql_url for other, served in platform.subgraphs.items()}
    urls[name] = copy.graphql_url
    try:
        router = await serve_on("router", create_router(urls, platform.jwks_url), router_sock)
        try:
            yield Detour(router=router, subgraph=copy)
        finally:
            await router.stop()
    finally:
        if not copy.task.done():
            await copy.stop()
