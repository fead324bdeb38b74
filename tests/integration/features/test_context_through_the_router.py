"""@context / @fromContext through our router to real strawberry subgraphs on loopback ports
(tests/fixtures/features/context). @apollo/gateway 2.14 refuses supergraphs that link the
context spec ("feature https://specs.apollo.dev/context/v0.1 is for: SECURITY but is
unsupported"), so the expected answers are hand-written from the fixture data or the graph's
oracle (the same data in one plain graphql-core schema)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from strawberry.asgi import GraphQL

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.differential.oracle import ask_oracle
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
    # shop's list, billing's currencies in one batch, then one price fetch for all currencies:
    # one aliased _entities field per currency (EUR, USD, none)
    assert graph.log.order() == ["shop", "billing", "shop"]
    _, priced = graph.log.entries[2]
    variables = priced["variables"]
    assert sorted(
        (variables[f"contextualArgument_2_0_{i}"] or "", len(variables[f"representations_{i}"]))
        for i in range(3)
    ) == [("", 1), ("EUR", 2), ("USD", 2)]
    assert "_2:_entities(representations:$representations_2)" in priced["query"]


async def test_the_context_field_is_fetched_once_also_when_the_client_selects_it(
    graph: ContextGraph,
) -> None:
    graph.log.clear()
    status, body = await post_graphql(
        graph.client, graph.router.graphql_url, "{ ts { currency us { price } } }"
    )

    assert status == 200
    assert body["data"]["ts"][1] == {"currency": "USD", "us": [{"price": 200}, {"price": 1800}]}
    assert graph.log.counts() == {"shop": 2, "billing": 1}


ORACLE_CASES = {
    "interface_context_read_per_type": "{ markets { __typename id vs { label tax } } }",
    "implementation_under_a_type_condition": """
        { markets { ... on Stall { levy vs { tax } } ... on T { us { name price tax } } } }
    """,
    "both_contexts_of_one_item": "{ ts { id taxRate us { tax price } vs { tax } } }",
    "one_argument_through_the_interface_and_a_type_condition": """
        { markets { id vs { tax } ... on T { currency vs { label tax } } } }
    """,
    "aliases_over_context_fields": """
        { markets { levy: id ... on T { id: taxRate vs { tax: label label: tax } } } }
    """,
}


@pytest.mark.parametrize("query", ORACLE_CASES.values(), ids=ORACLE_CASES.keys())
async def test_context_fields_answer_like_the_oracle(graph: ContextGraph, query: str) -> None:
    status, body = await post_graphql(graph.client, graph.router.graphql_url, query)

    assert status == 200
    assert body == await ask_oracle(GRAPH.oracle_schema(), query)


async def test_every_market_s_goods_are_taxed_in_one_request(graph: ContextGraph) -> None:
    graph.log.clear()
    status, body = await post_graphql(
        graph.client, graph.router.graphql_url, "{ markets { id vs { tax } } }"
    )

    assert status == 200
    assert body["data"]["markets"][:2] == [
        {"id": "t1", "vs": [{"tax": 30}]},
        {"id": "s1", "vs": [{"tax": 15}]},
    ]
    # shop's markets, billing's tax rates of the shops, one request for the goods' taxes at
    # the rates 10, 5, 20 and 0 (t3 has no goods; t4's rate 5 equals s1's levy)
    assert graph.log.order() == ["shop", "billing", "shop"]
    assert graph.log.entries[2][1]["query"].count("_entities(") == 4
