"""observability's ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.settings import Settings
from subgraphs.observability.models import Base
from subgraphs.observability.runtime import observer_lifespan
from subgraphs.observability.schema import schema
from subgraphs.observability.settings import (
    AlertSettings,
    ObservabilitySettings,
    RetentionSettings,
)


def create_app(
    settings: Settings | None = None,
    observed: ObservabilitySettings | None = None,
    alerts: AlertSettings | None = None,
    retention: RetentionSettings | None = None,
) -> Starlette:
    return create_subgraph_app(
        "observability",
        schema,
        settings=settings,
        models_metadata=Base.metadata,
        lifespan=observer_lifespan(observed or ObservabilitySettings(), alerts, retention),
    )
