"""observability is for operators and administrators (issue 4), checked by the subgraph itself
when called directly with real tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.tokens import Secured, secured_subgraph

SERVICES = "{ services { name status } }"
HISTORY = '{ serviceHistory(name: "router") { edges { node { status } } } }'


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    directory = tmp_path_factory.mktemp("observability")
    async with secured_subgraph("observability", directory) as running:
        yield running


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_anonymous_and_ordinary_users_are_refused(secured: Secured):
    for caller, code in [
        (secured.anonymous, "UNAUTHENTICATED"),
        (secured.as_user(str(uuid.uuid4())), "FORBIDDEN"),
        (secured.as_user(str(uuid.uuid4()), "user", "support_agent"), "FORBIDDEN"),
    ]:
        for query in (SERVICES, HISTORY):
            body = await caller.graphql(query)
            [field] = body["data"]
            assert body["data"][field] is None and codes(body) == [code], (query, body)


async def test_operators_and_admins_see_service_health(secured: Secured):
    for caller in (secured.as_user(str(uuid.uuid4()), "user", "operator"), secured.admin):
        for query in (SERVICES, HISTORY):
            body = await caller.graphql(query)
            assert "errors" not in body, body


async def test_the_schema_declares_the_operator_scopes(secured: Secured):
    body = await secured.anonymous.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]

    assert 'services: [ServiceStatus!] @requiresScopes(scopes: [["operator"], ["admin"]])' in sdl
