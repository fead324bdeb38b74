"""The EHB-5 platform as the dashboard benchmark runs it.

The six real subgraphs on migrated SQLite databases (with the demo seed: its users, shops and
wallets) in a temporary directory, served by uvicorn in this process on loopback ports, each
with `EHB_SQL_STATEMENT_TIMING` on and wrapped by a `StatementLog` that keeps the statement
count of every `POST /graphql` it answers. The router is `ehb router` (the production launcher)
in its own process, with `EHB_ROUTER_SERVER_TIMING=1` and the identity JWKS, so its timings are
its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.federation.processes import pinned
from router.transport.probe import PROBE_QUERY
from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.statement_timing import SERVER_TIMING_HEADER, parse_statement_timing
from tests.fixtures.benchmark.loopback import (
    LoopbackServer,
    bind_ephemeral_socket,
    serve_on_socket,
    unused_loopback_port,
)
from tests.fixtures.tokens import JWKS_PATH, TokenMint
from tests.integration.platform.servers import (
    SUPERGRAPH_PATH,
    base_url,
    create_subgraph,
    environment,
    prepare_databases,
)

ROUTER_START_SECONDS = 30.0
PROBE_TIMEOUT_SECONDS = 30.0
ROUTER_HEALTH_PROBE = PROBE_QUERY.encode()


def _is_health_probe(body: list[bytes]) -> bool:
    """The router's `/health` probes each subgraph with this query (observability's `services`
    probes the router): not part of any query plan, so not counted."""
    return ROUTER_HEALTH_PROBE in b"".join(body)


@dataclass(frozen=True, slots=True)
class Served:
    """One `POST /graphql` a subgraph answered."""

    statements: int
    milliseconds: float  # from the request's arrival to its response's headers


@dataclass
class StatementLog:
    """Per subgraph, one entry per `POST /graphql` answered."""

    entries: dict[str, list[Served]] = field(default_factory=dict)

    def wrap(self, name: str, app: ASGIApp) -> ASGIApp:
        log = self.entries.setdefault(name, [])

        async def logged(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] != "/graphql":
                await app(scope, receive, send)
                return

            arrived = time.perf_counter()
            body: list[bytes] = []

            async def reading_receive() -> Message:
                message = await receive()
                if message["type"] == "http.request":
                    body.append(message.get("body", b""))
                return message

            async def reading_send(message: Message) -> None:
                if message["type"] == "http.response.start" and not _is_health_probe(body):
                    elapsed_ms = (time.perf_counter() - arrived) * 1000
                    for key, value in message.get("headers", []):
                        if key.decode().lower() == SERVER_TIMING_HEADER:
                            reported = parse_statement_timing(value.decode())
                            if reported is not None:
                                log.append(Served(reported[0], elapsed_ms))
                await send(message)

            await app(scope, reading_receive, reading_send)

        return logged

    def mark(self) -> dict[str, int]:
        """Where each subgraph's log is now (for `since`)."""
        return {name: len(entries) for name, entries in self.entries.items()}

    def since(self, mark: dict[str, int]) -> dict[str, list[Served]]:
        """Each subgraph's entries after `mark`: its requests, with their statement counts."""
        return {name: entries[mark.get(name, 0) :] for name, entries in self.entries.items()}


@dataclass
class DashboardPlatform:
    router_url: str
    router: subprocess.Popen[bytes]
    router_log: Path
    subgraphs: dict[str, LoopbackServer]
    apps: dict[str, Starlette]
    statements: StatementLog
    mint: TokenMint

    async def stop(self) -> None:
        if self.router.poll() is None:
            self.router.terminate()
        try:
            await asyncio.to_thread(self.router.wait, 30)
        except subprocess.TimeoutExpired:
            self.router.kill()
        for server in self.subgraphs.values():
            await server.stop()


def _ehb_command(profile: Path | None) -> list[str]:
    if profile is not None:  # `ehb` under cProfile (bench/subscriptions/router_process.py)
        return [sys.executable, "-m", "bench.subscriptions.router_process"]
    return [sys.executable, "-c", "import sys; from router.cli import main; sys.exit(main())"]


async def start_dashboard_platform(
    workdir: Path, router_profile: Path | None = None, router_cpu: int | None = None
) -> DashboardPlatform:
    """The platform on databases under `workdir`; with `router_profile`, the router runs under
    cProfile and writes its stats there when it stops; with `router_cpu`, it runs on that CPU
    alone."""
    settings = await prepare_databases(workdir / "data")
    sockets = {name: bind_ephemeral_socket() for name in SUBGRAPH_NAMES}
    router_port = unused_loopback_port()
    router_base = f"http://127.0.0.1:{router_port}"
    jwks_url = f"{base_url(sockets['identity'])}{JWKS_PATH}"
    settings = {
        name: config.model_copy(update={"jwks_url": jwks_url, "sql_statement_timing": True})
        for name, config in settings.items()
    }
    observed = ",".join(
        [f"router={router_base}/health"]
        + [f"{name}={base_url(sock)}/health" for name, sock in sockets.items()]
    )
    log = StatementLog()
    # observability reads these when its app is created. Probes slower than the default 1 s
    # (a busy 2-core machine) would turn services DEGRADED and back, raising and resolving
    # alerts: other statements in some requests. The verdicts are not what is measured.
    with (
        environment("EHB_OBSERVED_SERVICES", observed),
        environment("EHB_OBSERVED_TIMEOUT_SECONDS", str(PROBE_TIMEOUT_SECONDS)),
        environment("EHB_OBSERVED_DEGRADED_LATENCY_MS", str(int(PROBE_TIMEOUT_SECONDS * 1000))),
    ):
        apps = {name: create_subgraph(name, settings[name]) for name in SUBGRAPH_NAMES}
    subgraphs: dict[str, LoopbackServer] = {}
    for name in SUBGRAPH_NAMES:
        logged = log.wrap(name, apps[name])
        subgraphs[name] = await serve_on_socket(logged, sockets[name], lifespan="on")
    router_log = workdir / "router.log"
    command = pinned(
        [*_ehb_command(router_profile), "router", "--supergraph", str(SUPERGRAPH_PATH)],
        router_cpu,
    )
    command += ["--port", str(router_port)]
    for name, server in subgraphs.items():
        command += ["--subgraph-url", f"{name}={server.graphql_url}"]
    env = {
        **os.environ,
        "EHB_ROUTER_JWKS_URL": jwks_url,
        "EHB_ROUTER_SERVER_TIMING": "1",
        "EHB_ROUTER_SHUTDOWN_GRACE": "2",
    }
    if router_profile is not None:  # an absolute path (main resolves it)
        env["EHB_BENCH_ROUTER_PROFILE"] = str(router_profile)
    with router_log.open("wb") as output:
        router = subprocess.Popen(  # noqa: ASYNC220 - once, before anything is timed
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    platform = DashboardPlatform(
        router_url=f"{router_base}/graphql",
        router=router,
        router_log=router_log,
        subgraphs=subgraphs,
        apps=apps,
        statements=log,
        mint=TokenMint.for_identity(settings["identity"]),
    )
    try:
        await _wait_for_router(platform, f"{router_base}/health")
    except BaseException:
        await platform.stop()
        raise
    return platform


async def _wait_for_router(platform: DashboardPlatform, health_url: str) -> None:
    deadline = time.monotonic() + ROUTER_START_SECONDS
    async with aiohttp.ClientSession() as session:
        while True:
            if platform.router.poll() is not None:
                raise SystemExit(f"the router exited: see {platform.router_log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(health_url) as response:
                    if response.status < 500:
                        return
            if time.monotonic() > deadline:
                raise SystemExit(f"the router did not start in 30 s: see {platform.router_log}")
            await asyncio.sleep(0.1)
