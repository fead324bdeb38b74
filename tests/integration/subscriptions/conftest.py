"""A fresh subscriptions platform per test (feed and shop subgraphs, a JWKS, our router):
tests stop and restart subgraphs and count upstream connections."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.subscriptions.platform import SubscriptionPlatform, start_subscription_platform
from tests.fixtures.subscriptions.subgraphs import BROKER


@pytest.fixture
async def platform() -> AsyncIterator[SubscriptionPlatform]:
    started = await start_subscription_platform()
    yield started
    BROKER.end_all()
    await started.stop()
