"""`ehb dev`: the embedded platform in one process.

Migrates the six SQLite databases (optionally loads demo data), composes the supergraph from the
subgraphs' own schemas, then serves the six subgraphs and the router from one event loop until
SIGINT/SIGTERM. Subgraph ports follow the router port (router N, subgraphs N+1..N+6).

Tokens: the identity subgraph publishes its keys at ``/.well-known/jwks.json``; the router
(``EHB_ROUTER_JWKS_URL``) and every subgraph (``EHB_JWKS_URL``) verify bearer tokens against
that URL unless the environment already names another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from subgraphs import SUBGRAPH_NAMES

logger = logging.getLogger("ehb.dev")

JWKS_PATH = "/.well-known/jwks.json"  # docs/identity-and-access.md


@dataclass(frozen=True, slots=True)
class DevLayout:
    """Where every service of the embedded platform listens."""

    host: str
    router_port: int

    def subgraph_port(self, name: str) -> int:
        return self.router_port + 1 + SUBGRAPH_NAMES.index(name)

    def base_url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    @property
    def router_url(self) -> str:
        return f"{self.base_url(self.router_port)}/graphql"

    def subgraph_url(self, name: str) -> str:
        return f"{self.base_url(self.subgraph_port(name))}/graphql"

    @property
    def jwks_url(self) -> str:
        """The identity subgraph's JWKS, which the router and the subgraphs verify tokens by."""
        return f"{self.base_url(self.subgraph_port('identity'))}{JWKS_PATH}"

    def token_environment(self) -> dict[str, str]:
        """The JWKS settings of the router and the subgraphs for this layout."""
        return {"EHB_JWKS_URL": self.jwks_url, "EHB_ROUTER_JWKS_URL": self.jwks_url}

    def observed_services(self) -> str:
        """`EHB_OBSERVED_SERVICES` for the observability subgraph: every health endpoint."""
        targets = [f"router={self.base_url(self.router_port)}/health"]
        targets += [
            f"{name}={self.base_url(self.subgraph_port(name))}/health" for name in SUBGRAPH_NAMES
        ]
        return ",".join(targets)


class _SharedSignalServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to `run_dev` (several servers, one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def compose_supergraph(layout: DevLayout) -> str:
    """Compose the six subgraphs' current schemas with the URLs of this layout."""
    from router.compose_command import export_subgraph_sdl
    from router.composition import SubgraphSource, compose

    sources = [
        SubgraphSource(name, layout.subgraph_url(name), export_subgraph_sdl(name))
        for name in SUBGRAPH_NAMES
    ]
    result = compose(sources)
    if result.supergraph_sdl is None:
        problems = "\n".join(f"  {error.code}: {error.message}" for error in result.errors)
        raise SystemExit(f"composition failed:\n{problems}")
    return result.supergraph_sdl


async def prepare_databases(seed: bool) -> None:
    from subgraphs.kernel.migrations import migrate_to_head_async
    from subgraphs.kernel.seeding import seed_demo_data
    from subgraphs.kernel.settings import Settings

    settings = Settings()
    for name in SUBGRAPH_NAMES:
        await migrate_to_head_async(name, settings.database_url(name))
        if seed:
            await seed_demo_data(name, settings)
    logger.info("databases migrated%s under %s", " and seeded" if seed else "", settings.data_dir)


def build_apps(layout: DevLayout, supergraph_sdl: str) -> list[tuple[str, int, ASGIApp]]:
    from router.http.app import create_router_app
    from subgraphs.kernel.serve import load_app

    apps: list[tuple[str, int, ASGIApp]] = [
        (name, layout.subgraph_port(name), load_app(name)) for name in SUBGRAPH_NAMES
    ]
    apps.append(("router", layout.router_port, create_router_app(supergraph_sdl)))
    return apps


async def serve_all(layout: DevLayout, apps: list[tuple[str, int, ASGIApp]]) -> None:
    servers = [
        _SharedSignalServer(
            uvicorn.Config(
                app,
                host=layout.host,
                port=port,
                lifespan="on",
                log_level="warning",
                proxy_headers=False,  # as `ehb router` and `ehb serve`: trusted proxies decide
            )
        )
        for _, port, app in apps
    ]

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        failed = [task for task in tasks if task.done()]
        if failed:
            stop()
            await asyncio.gather(*tasks, return_exceptions=True)
            names = ", ".join(apps[tasks.index(task)][0] for task in failed)
            raise SystemExit(f"could not start: {names} (is the port already in use?)")
        await asyncio.sleep(0.02)
    print(f"EHB-5 is running: router at {layout.router_url}", flush=True)
    for name in SUBGRAPH_NAMES:
        print(f"  {name:<14} {layout.subgraph_url(name)}", flush=True)
    await asyncio.gather(*tasks)


def run_dev(*, host: str, port: int, seed: bool, data_dir: Path | None) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if data_dir is not None:
        os.environ["EHB_DATA_DIR"] = str(data_dir)
    layout = DevLayout(host=host, router_port=port)
    os.environ.setdefault("EHB_OBSERVED_SERVICES", layout.observed_services())
    for name, value in layout.token_environment().items():
        os.environ.setdefault(name, value)
    supergraph_sdl = compose_supergraph(layout)
    asyncio.run(prepare_databases(seed))
    apps = build_apps(layout, supergraph_sdl)
    try:
        asyncio.run(serve_all(layout, apps))
    except KeyboardInterrupt:
        sys.exit(130)
