"""money's ASGI app. Its lifespan installs the field-encryption keys (`encryption.py`), opens
payments' provider and runs retention (`retention.py`)."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.settings import Settings
from subgraphs.money.encryption import field_keys_lifespan
from subgraphs.money.models import Base
from subgraphs.money.payments.runtime import combined_lifespans, payment_routes, payments_lifespan
from subgraphs.money.retention import retention_lifespan
from subgraphs.money.schema import schema


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    return create_subgraph_app(
        "money",
        schema,
        settings=settings,
        models_metadata=Base.metadata,
        extra_routes=payment_routes(),
        lifespan=combined_lifespans(
            field_keys_lifespan(settings), payments_lifespan(settings), retention_lifespan()
        ),
    )
