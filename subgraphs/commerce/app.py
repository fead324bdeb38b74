"""commerce's ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.commerce.models import Base
from subgraphs.commerce.schema import schema
from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.settings import Settings


def create_app(settings: Settings | None = None) -> Starlette:
    return create_subgraph_app("commerce", schema, settings=settings, models_metadata=Base.metadata)
