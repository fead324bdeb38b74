"""Reading one graphql-transport-ws operation's messages in fault tests."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.subgraphs.kernel.events_probe import TransportWsClient


async def end_of(client: TransportWsClient, operation: str, within: float) -> list[dict[str, Any]]:
    """The GraphQL errors `operation` ended with (from `next` payloads and an `error` message),
    asserting it does end (`complete` or `error`) within `within` seconds. Payment notifications
    still arriving from before the fault are skipped."""
    errors: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while True:
            message = await client.receive(within)
            if message.get("id") != operation:
                continue
            if message["type"] == "next":
                errors += message["payload"].get("errors", [])
            elif message["type"] == "error":
                return errors + list(message["payload"])
            elif message["type"] == "complete":
                assert errors, "the subscription completed without an error"
                return errors


async def payment_notification(
    client: TransportWsClient, operation: str, within: float
) -> dict[str, Any] | None:
    """The next payment notification's data on `operation`, or None when none came in time
    (other notifications are skipped; an error or an end fails the test)."""
    try:
        async with asyncio.timeout(within):
            while True:
                message = await client.receive(within)
                if message.get("id") != operation:
                    continue
                assert message["type"] == "next", message
                payload: dict[str, Any] = message["payload"]
                assert "errors" not in payload, payload
                data: dict[str, Any] = payload["data"]
                if data["notificationAdded"]["category"] == "PAYMENTS":
                    return data
    except TimeoutError:
        return None
