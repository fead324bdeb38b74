"""A tiny GraphQL-over-HTTP client for tests."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson


async def post_graphql(
    client: aiohttp.ClientSession,
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> tuple[int, dict[str, Any]]:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    if operation_name is not None:
        payload["operationName"] = operation_name
    async with client.post(
        url, data=orjson.dumps(payload), headers={"content-type": "application/json"}
    ) as response:
        return response.status, orjson.loads(await response.read())
