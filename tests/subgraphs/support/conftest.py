"""support served over real HTTP with its notification channels aimed at local stand-ins: a real
SMTP server (aiosmtpd), an SMS provider and a Web Push service, all on loopback ports."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from subgraphs.kernel.push import PushSettings
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import RunningSubgraph, migrated_settings
from subgraphs.support.app import create_app
from subgraphs.support.runtime import Notifier
from subgraphs.support.settings import NotificationDeliverySettings
from tests.fixtures.push import PushService, push_service
from tests.fixtures.sms import SmsProvider, sms_provider
from tests.fixtures.smtp import SmtpServer, start_smtp_server
from tests.fixtures.tokens import Secured, TokenMint, serving_jwks
from tests.subgraphs.kernel.events_probe import serve_with_websockets

FAST_DELIVERY = NotificationDeliverySettings(
    max_attempts=3,
    backoff_base_seconds=0.05,
    backoff_max_seconds=0.2,
    lease_seconds=5,
    poll_seconds=0.05,
)


@dataclass(frozen=True)
class Notifying:
    """support (verifying test tokens) and the outside world its notifications reach."""

    secured: Secured
    smtp: SmtpServer
    sms: SmsProvider
    push: PushService

    @property
    def notifier(self) -> Notifier:
        notifier: Notifier = self.secured.subgraph.app.state.notifier
        return notifier


@pytest.fixture(scope="module")
async def notifying(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Notifying]:
    with start_smtp_server() as smtp:
        async with sms_provider() as sms, push_service() as push:

            def factory(settings: Settings) -> Starlette:
                settings = settings.model_copy(
                    update={"smtp_url": SecretStr(f"smtp://{smtp.host}:{smtp.port}?starttls=0")}
                )
                return create_app(
                    settings,
                    delivery=FAST_DELIVERY,
                    sms=sms.settings(),
                    push=PushSettings(subject="mailto:ops@ehb.test", timeout_seconds=5),
                )

            directory = tmp_path_factory.mktemp("support-notifications")
            async with secured_with_websockets(directory, factory) as secured:
                yield Notifying(secured=secured, smtp=smtp, sms=sms, push=push)


@asynccontextmanager
async def secured_with_websockets(
    directory: Path,
    factory: Callable[[Settings], Starlette],
    mint: TokenMint | None = None,
) -> AsyncIterator[Secured]:
    """Like `secured_subgraph("support", ...)`, served with WebSocket support (subscriptions)."""
    mint = mint or TokenMint.in_directory(directory)
    async with serving_jwks(mint) as jwks_url:
        settings = await migrated_settings("support", directory)
        app = factory(settings.model_copy(update={"jwks_url": jwks_url}))
        async with serve_with_websockets(app) as url, httpx.AsyncClient(timeout=10) as client:
            subgraph = RunningSubgraph(url=url, app=app, client=client)
            yield Secured(subgraph=subgraph, mint=mint, admin_id=str(uuid.uuid4()))
