"""@context / @fromContext through our router to real strawberry subgraphs on loopback ports
(tests/fixtures/features/context). @apollo/gateway 2.14 refuses supergraphs that link the
context spec ("feature https://specs.apollo.dev/context/v0.1 is for: SECURITY but is
unsupported"), so the expected answers are hand-written from the fixture data."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from strawberry.asgi import GraphQL

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.features.context.subgraphs import GRAPH
from tests.fixtures.features.harness import RecordingApp, RequestLog
from tests.integration.benchmark.graphql_client import post_graphql


@dataclass
class ContextGraph:
    log: RequestLog
    servers: list[LoopbackServer]
    router: LoopbackServer
    client: aiohttp.ClientSession


@pytest.fixture(scope="module")
async def graph() -> AsyncIterator[ContextGraph]:
    log = RequestLog()
    subgraphs = {
        name: await start_loopback_server(
            RecordingApp(name, GraphQL(schema, graphql_ide=None), log)
        )
        for name, schema in GRAPH.schemas.items()
    }
    router = await start_loopback_server(
        create_router_app(
            GRAPH.supergraph_path.read_text(),
            subgraph_urls={name: server.graphql_url for name, server in subgraphs.items()},
            config=RouterConfig(),
        )
    )
    client = aiohttp.ClientSession()
    yield ContextGraph(log, list(subgraphs.values()), router, client)
    await client.close()
    await router.stop()
    for server in subgraphs.values():
        await server.stop()


async def test_each_item_is_priced_in_the_currency_of_its_own_shop(graph: ContextGraph) -> None:
    graph.log.clear()
    status, body = await post_graphql(
        graph.client, graph.router.graphql_url, "{ ts { id us { name price } } }"
    )

    assert status == 200
    assert body == {
        "data": {
            "ts": [
                {"id": "t1", "us": [{"name": "Kettle", "price": 100}]},
                {
                    "id": "t2",
                    "us": [{"name": "Kettle", "price": 200}, {"name": "Anvil", "price": 1800}],
                },
                {"id": "t3", "us": [{"name": "Anvil", "price": 900}]},
                {"id": "t4", "us": [{"name": "Kettle", "price": None}]},
            ]
        }
    }
    # shop's list, billing's currencies in one batch, then one price fetch per currency
    assert graph.log.order()[:2] == ["shop", "billing"]
    priced = sorted(
        (
            body["variables"]["contextualArgument_2_0"] or "",
            len(body["variables"]["representations"]),
        )
        for name, body in graph.log.entries[2:]
    )
    assert [name for name, _ in graph.log.entries[2:]] == ["shop", "shop", "shop"]
    assert priced == [("", 1), ("EUR", 2), ("USD", 2)]


async def test_the_context_field_is_fetched_once_also_when_the_client_selects_it(
    graph: ContextGraph,
) -> None:
    graph.log.clear()
    status, body = await post_graphql(
        graph.client, graph.router.graphql_url, "{ ts { currency us { price } } }"
    )

    assert status == 200
    assert body["data"]["ts"][1] == {"currency": "USD", "us": [{"price": 200}, {"price": 1800}]}
    assert graph.log.counts() == {"shop": 4, "billing": 1}
