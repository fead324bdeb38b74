"""A tiny GraphQL-over-HTTP client for the platform tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    content_type: str
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.body.get("errors", [])
        return errors


class GraphQLClient:
    """`headers` (e.g. `Authorization: Bearer ...`) go with every request."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.session = session
        self.url = url
        self.headers = dict(headers or {})

    def with_headers(self, headers: dict[str, str]) -> GraphQLClient:
        """The same endpoint sending `headers` instead (`{}`: anonymous)."""
        return GraphQLClient(self.session, self.url, headers)

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        accept: str | None = None,
    ) -> Reply:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        headers = {**self.headers, "content-type": "application/json"}
        if accept is not None:
            headers["accept"] = accept
        async with self.session.post(
            self.url, data=orjson.dumps(payload), headers=headers
        ) as response:
            return Reply(
                response.status, response.content_type, orjson.loads(await response.read())
            )

    async def get(self, params: dict[str, str]) -> Reply:
        # The CSRF preflight header the router requires of GET requests (router.http.csrf).
        headers = {**self.headers, "apollo-require-preflight": "true"}
        async with self.session.get(self.url, params=params, headers=headers) as response:
            return Reply(
                response.status, response.content_type, orjson.loads(await response.read())
            )

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST, asserting HTTP 200 and no errors; returns `data`."""
        reply = await self.post(query, variables)
        assert reply.status == 200, reply.body
        assert "errors" not in reply.body, reply.body["errors"]
        data: dict[str, Any] = reply.body["data"]
        return data
