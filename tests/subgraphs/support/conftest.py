"""support served over real HTTP with its notification channels aimed at local stand-ins: a real
SMTP server (aiosmtpd), an SMS provider and a Web Push service, all on loopback ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from subgraphs.kernel.push import PushSettings
from subgraphs.kernel.settings import Settings
from subgraphs.support.app import create_app
from subgraphs.support.runtime import Notifier
from subgraphs.support.settings import NotificationDeliverySettings
from tests.fixtures.push import PushService, push_service
from tests.fixtures.sms import SmsProvider, sms_provider
from tests.fixtures.smtp import SmtpServer, start_smtp_server
from tests.fixtures.tokens import Secured, secured_subgraph

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
            async with secured_subgraph("support", directory, app_factory=factory) as secured:
                yield Notifying(secured=secured, smtp=smtp, sms=sms, push=push)
