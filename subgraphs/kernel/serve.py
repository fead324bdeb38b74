"""Serve one subgraph with uvicorn (`ehb subgraph <name> [--workers N]`).

With several workers (processes accepting on one socket), each worker is one more instance of
the subgraph, and what runs in its lifespan must be safe with several instances:
- the outbox relay: on PostgreSQL every worker runs one (one publishes at a time under an
  advisory lock, in order, and each is woken at once by its own worker's commits); SQLite has
  no such lock, so there only worker 0 relays (the others' events are published within
  `EHB_OUTBOX_POLL_SECONDS`);
- retention and the subgraphs' other periodic jobs delete idempotently, batch by batch, and
  consumers of `domain-events` dedupe by event id: they run in every worker;
- first-start work (development signing and encryption keys, SQLite files) happens once: worker
  0 finishes starting before the others are forked (`router.workers`);
- migrations are never run by serving: `ehb migrate` runs them once, before.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Protocol

import uvicorn
from starlette.applications import Starlette

from subgraphs import DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES
from subgraphs.kernel.metrics import prepare_worker_metrics
from subgraphs.kernel.settings import Settings


class RunServer(Protocol):
    """Serves `config` from `workers` processes, calling `on_worker(index)` in each before it
    serves (`router.workers.serve_config`, handed in by the `ehb` command line)."""

    def __call__(
        self,
        config: uvicorn.Config,
        *,
        name: str,
        workers: int,
        on_worker: Callable[[int], None],
    ) -> None: ...


def load_app(name: str, settings: Settings | None = None) -> Starlette:
    """`subgraphs.<name>.app.create_app(settings)`; without settings, `Settings.for_subgraph`."""
    if name not in SUBGRAPH_NAMES:
        raise ValueError(f"unknown subgraph {name!r}; expected one of {', '.join(SUBGRAPH_NAMES)}")
    module = importlib.import_module(f"subgraphs.{name}.app")
    app: Starlette = module.create_app(settings or Settings.for_subgraph(name))
    return app


def serve_subgraph(
    name: str,
    *,
    host: str,
    port: int | None,
    workers: int = 1,
    run: RunServer | None = None,
) -> None:
    """Run subgraph `name` until SIGINT/SIGTERM (default port from DEFAULT_SUBGRAPH_PORTS).

    Logging is the caller's (`ehb` sets it up; a bare INFO default otherwise). `workers` > 1
    needs `run`."""
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    if workers > 1 and run is None:
        raise ValueError("several workers need a `run` that forks them (router.workers)")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO)
    prepare_worker_metrics(workers)  # /metrics adds up every worker's figures
    app = load_app(name)
    config = uvicorn.Config(
        app,
        host=host,
        port=port if port is not None else DEFAULT_SUBGRAPH_PORTS[name],
        lifespan="on",
        log_level="info",
        log_config=None,
        # The kernel decides the client address (EHB_TRUSTED_PROXIES, client_address.py);
        # uvicorn's own X-Forwarded-For handling would believe any loopback peer on top of that.
        proxy_headers=False,
    )

    def on_worker(index: int) -> None:
        app.state.worker_index = index

    if run is None:
        uvicorn.Server(config).run()
        return
    run(config, name=name, workers=workers, on_worker=on_worker)
