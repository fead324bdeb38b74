"""One client subscription as a stream of GraphQL responses, whatever the transport.

Each upstream event becomes the client's response (``SubscriptionExecution.event``: entity
fetches, authorization, shaping). The stream ends after the upstream completes, or with one
last response carrying the errors when the upstream fails or closes, or when the caller's
access token expires (a timer at ``exp`` plus the verifier's clock skew).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any

from router.auth import Principal
from router.auth.tokens import LEEWAY_SECONDS
from router.executor import SubscriptionExecution
from router.subscriptions.upstream import UpstreamEnd, UpstreamSubscriptions
from router.types import JSONObject

TOKEN_EXPIRED: JSONObject = {
    "errors": [
        {
            "message": "The access token has expired: the subscription ends; subscribe again "
            "with a fresh token",
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]
}


def token_deadline(principal: Principal | None) -> float | None:
    """When the caller's token stops being accepted (wall-clock seconds), if it expires."""
    if principal is None:
        return None
    expires = principal.claims.get("exp")
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        return float(expires) + LEEWAY_SECONDS
    return None


def connection_payload(
    headers: Mapping[str, str], forwarded_headers: tuple[str, ...]
) -> dict[str, str]:
    """What the router's ``connection_init`` to a subgraph carries: the forwarded headers
    (``Authorization`` spelled as docs/events.md specifies)."""
    payload: dict[str, str] = {}
    for name in forwarded_headers:
        value = headers.get(name)
        if value is not None:
            payload["Authorization" if name == "authorization" else name] = value
    return payload


async def subscription_responses(
    execution: SubscriptionExecution,
    upstreams: UpstreamSubscriptions,
    payload: Mapping[str, str],
    deadline: float | None,
) -> AsyncGenerator[JSONObject, None]:
    if deadline is not None and deadline <= time.time():
        yield TOKEN_EXPIRED
        return
    if execution.root is None:
        # Nothing to subscribe to: the caller may not see the subscription field.
        yield await execution.event(None)
        return
    assert execution.service is not None
    async with upstreams.listen(execution.service, execution.upstream_request(), payload) as queue:
        while True:
            item: Any
            if deadline is None:
                item = await queue.get()
            else:
                try:
                    async with asyncio.timeout(max(0.0, deadline - time.time())):
                        item = await queue.get()
                except TimeoutError:
                    yield TOKEN_EXPIRED
                    return
            if isinstance(item, UpstreamEnd):
                if item.kind == "error":
                    yield {"errors": list(item.errors)}
                return
            yield await execution.event(item)
