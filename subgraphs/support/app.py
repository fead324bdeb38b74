"""support's ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette

from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.push import PushSettings
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.sms import SmsSettings
from subgraphs.support.models import Base
from subgraphs.support.runtime import support_lifespan
from subgraphs.support.schema import schema
from subgraphs.support.settings import NotificationDeliverySettings


def create_app(
    settings: Settings | None = None,
    *,
    delivery: NotificationDeliverySettings | None = None,
    sms: SmsSettings | None = None,
    push: PushSettings | None = None,
) -> Starlette:
    return create_subgraph_app(
        "support",
        schema,
        settings=settings,
        models_metadata=Base.metadata,
        lifespan=support_lifespan(delivery or NotificationDeliverySettings(), sms, push),
    )
