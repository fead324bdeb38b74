"""Serve one subgraph with uvicorn (`ehb subgraph <name>`)."""

from __future__ import annotations

import importlib

import uvicorn
from starlette.applications import Starlette

from subgraphs import DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES
from subgraphs.kernel.settings import Settings


def load_app(name: str, settings: Settings | None = None) -> Starlette:
    """`subgraphs.<name>.app.create_app(settings)`."""
    if name not in SUBGRAPH_NAMES:
        raise ValueError(f"unknown subgraph {name!r}; expected one of {', '.join(SUBGRAPH_NAMES)}")
    app: Starlette = importlib.import_module(f"subgraphs.{name}.app").create_app(settings)
    return app


def serve_subgraph(name: str, *, host: str, port: int | None) -> None:
    """Run subgraph `name` until SIGINT/SIGTERM (default port from DEFAULT_SUBGRAPH_PORTS)."""
    uvicorn.run(
        load_app(name),
        host=host,
        port=port if port is not None else DEFAULT_SUBGRAPH_PORTS[name],
        log_level="info",
    )
