"""``ehb router``: serve a supergraph file with uvicorn until SIGTERM or SIGINT.

Settings: ``EHB_ROUTER_*`` over the ``[router]`` table of the ``ehb.toml`` file
(``router.config_file``); logs as ``EHB_LOG_FORMAT`` says (``router.logging_setup``). SIGHUP,
or a change of the supergraph file, reloads the supergraph without dropping anything in flight
(``router.http.reload``); with ``--workers`` the parent passes SIGHUP on to every worker.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import uvicorn
from graphql import GraphQLError
from starlette.applications import Starlette

from router.config_file import router_config
from router.errors import SupergraphError
from router.logging_setup import configure_logging
from router.telemetry.exposition import prepare_worker_metrics
from router.workers import GracefulServer, serve

EXIT_UNUSABLE_INPUT = 2
GC_THRESHOLDS = (50_000, 20, 100)


def serve_router(
    supergraph_path: Path,
    *,
    host: str,
    port: int,
    subgraph_urls: Mapping[str, str | Sequence[str]],
    workers: int = 1,
) -> None:
    """Exits with code 2 and a one-line reason when the supergraph or settings are unusable.

    ``workers`` > 1: that many processes (forked after the supergraph is loaded, so they share
    its memory copy-on-write) accept on one listening socket, each with its own event loop,
    caches and subgraph connections; SIGTERM or SIGINT to the parent stops them all gracefully
    (``router.workers``).
    """
    if workers < 1:
        _exit_unusable(f"--workers must be at least 1, got {workers}")
    prepare_worker_metrics(workers)  # /metrics adds up every worker's figures
    from router.http.app import create_router_app
    from router.http.state import mark_shutting_down

    try:
        configure_logging()
    except ValueError as error:
        _exit_unusable(f"invalid setting: {error}")
    try:
        config = router_config()
        supergraph_sdl = supergraph_path.read_text(encoding="utf-8")
        app = create_router_app(
            supergraph_sdl,
            subgraph_urls=subgraph_urls,
            config=config,
            supergraph_path=supergraph_path,
        )
    except FileNotFoundError:
        _exit_unusable(f"supergraph file {supergraph_path} does not exist")
    except (OSError, UnicodeDecodeError) as error:
        _exit_unusable(f"cannot read supergraph file {supergraph_path}: {error}")
    except (SupergraphError, GraphQLError) as error:
        _exit_unusable(f"{supergraph_path} is not a usable supergraph: {error}")
    except ValueError as error:
        _exit_unusable(f"invalid router setting: {error}")

    # The supergraph and API schema are long-lived: keep the cyclic GC from re-scanning them.
    gc.collect()
    gc.freeze()
    # Requests and subscription events allocate many short-lived containers: with the default
    # threshold (700) a young collection ran every few events and full ones every few hundred
    # (bench/subscriptions: 4.6 s of pauses in 9 s of CPU at 5,000 subscribers; p99 952 -> 225 ms
    # with these thresholds, memory unchanged).
    gc.set_threshold(*GC_THRESHOLDS)
    server = GracefulServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="on",
            log_level="info",
            log_config=None,  # keep configure_logging's handlers
            access_log=False,
            # The router decides the client address (EHB_ROUTER_TRUSTED_PROXIES); uvicorn's own
            # X-Forwarded-For handling would believe any loopback peer on top of that.
            proxy_headers=False,
            timeout_graceful_shutdown=int(config.shutdown_grace_seconds),
            # WebSocket messages obey the request body limit too (closed with 1009 beyond it).
            ws_max_size=config.max_request_bytes,
        )
    )

    def begin_shutdown() -> None:
        mark_shutting_down(app)  # /ready answers 503 from now on
        _end_event_streams(app)

    server.on_shutdown = begin_shutdown
    serve(server, name="router", workers=workers)


def _end_event_streams(app: Starlette) -> None:
    """Open event streams would hold the shutdown for its whole grace period: end them."""
    subscriptions = getattr(app.state, "subscriptions", None)
    if subscriptions is not None:
        subscriptions.close()


def _exit_unusable(reason: str) -> NoReturn:
    print(f"ehb router: {reason}", file=sys.stderr)
    raise SystemExit(EXIT_UNUSABLE_INPUT)
