"""The payment providers of a running money app (`app.state.payment_providers`) and the
secret their webhooks are signed with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from subgraphs.kernel.app import Lifespan
from subgraphs.kernel.settings import Settings
from subgraphs.money.payments.provider import PaymentProvider
from subgraphs.money.payments.sandbox import SANDBOX, SandboxProvider
from subgraphs.money.payments.settings import PaymentSettings, webhook_secret


@dataclass(frozen=True)
class ProviderRegistry:
    webhook_secret: bytes = field(repr=False)
    tolerance_seconds: int
    providers: dict[str, PaymentProvider]
    default: str = SANDBOX

    def get(self, name: str | None = None) -> PaymentProvider:
        return self.providers[name or self.default]


def provider_registry(
    settings: Settings, payments: PaymentSettings | None = None
) -> ProviderRegistry:
    """Refuses to build (WebhookSecretMissing) in production without a webhook secret."""
    payments = payments or PaymentSettings()
    return ProviderRegistry(
        webhook_secret=webhook_secret(settings, payments),
        tolerance_seconds=payments.webhook_tolerance_seconds,
        providers={SANDBOX: SandboxProvider()},
    )


def providers_of(request: HTTPConnection) -> ProviderRegistry:
    registry: ProviderRegistry = request.app.state.payment_providers
    return registry


def providers_lifespan(settings: Settings) -> Lifespan:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.payment_providers = provider_registry(settings)
        yield

    return lifespan
