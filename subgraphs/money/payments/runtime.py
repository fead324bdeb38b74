"""What the money app needs from payments: its routes and its lifespan (provider registry,
commerce order events)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.settings import Settings
from subgraphs.money.payments.orders import order_events_lifespan
from subgraphs.money.payments.providers import providers_lifespan
from subgraphs.money.payments.webhooks import webhook_routes


def payment_routes() -> Sequence[BaseRoute]:
    return webhook_routes()


def payments_lifespan(settings: Settings) -> Lifespan:
    return combined_lifespans(providers_lifespan(settings), order_events_lifespan())


def combined_lifespans(*lifespans: Lifespan) -> Lifespan:
    """One lifespan entering `lifespans` in order (and leaving them in reverse)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for each in lifespans:
                await stack.enter_async_context(each(app))
            yield

    return lifespan
