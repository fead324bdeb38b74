"""support's ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.settings import Settings
from subgraphs.support.models import Base
from subgraphs.support.schema import schema


def create_app(settings: Settings | None = None) -> Starlette:
    return create_subgraph_app("support", schema, settings=settings, models_metadata=Base.metadata)
