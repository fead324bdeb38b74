"""@fromContext at run time: each entity's argument is the value on its own nearest ancestor.

Checked with in-memory subgraphs and the exact requests they receive (@apollo/gateway refuses
supergraphs that use the context spec, so there is no differential test for this feature).
Entities whose ancestors hold different values go in separate requests, one per value.
"""

from __future__ import annotations

from typing import Any

from router.executor import QueryEngine
from router.types import SubgraphRequest
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph, run

SHOP_TS = [
    {"__typename": "T", "id": "t1", "us": [{"__typename": "U", "id": "u1", "name": "one"}]},
    {
        "__typename": "T",
        "id": "t2",
        "us": [
            {"__typename": "U", "id": "u1", "name": "one"},
            {"__typename": "U", "id": "u2", "name": "two"},
        ],
    },
    {"__typename": "T", "id": "t3", "us": [{"__typename": "U", "id": "u2", "name": "two"}]},
]
CURRENCY = {"t1": "EUR", "t2": "USD", "t3": "EUR"}
PRICES = {("u1", "EUR"): 100, ("u1", "USD"): 110, ("u2", "EUR"): 200, ("u2", "USD"): 220}


def _shop(request: SubgraphRequest) -> dict[str, Any]:
    variables = request.variables or {}
    if "representations" not in variables:
        return {"data": {"ts": SHOP_TS}}
    currency = variables.get("contextualArgument_2_0")
    return {
        "data": {
            "_entities": [
                {"price": PRICES.get((r["id"], currency))} for r in variables["representations"]
            ]
        }
    }


def _billing(request: SubgraphRequest) -> dict[str, Any]:
    representations = (request.variables or {})["representations"]
    return {"data": {"_entities": [{"currency": CURRENCY[r["id"]]} for r in representations]}}


async def test_each_entity_gets_the_context_value_of_its_own_ancestor() -> None:
    fetcher = RecordingFetcher({"shop": _shop, "billing": _billing})
    engine = QueryEngine(fixture_supergraph("context"), fetcher)

    result = await run(engine, "{ ts { id us { name price } } }")

    assert result == {
        "data": {
            "ts": [
                {"id": "t1", "us": [{"name": "one", "price": 100}]},
                {"id": "t2", "us": [{"name": "one", "price": 110}, {"name": "two", "price": 220}]},
                {"id": "t3", "us": [{"name": "two", "price": 200}]},
            ]
        }
    }
    [billing] = fetcher.sent_to("billing")
    assert billing.variables == {
        "representations": [
            {"__typename": "T", "id": "t1"},
            {"__typename": "T", "id": "t2"},
            {"__typename": "T", "id": "t3"},
        ]
    }
    _, *entity_requests = fetcher.sent_to("shop")
    operation = (
        "query($representations:[_Any!]!,$contextualArgument_2_0:String)"
        "{_entities(representations:$representations)"
        "{...on U{price(currency: $contextualArgument_2_0)}}}"
    )
    assert [request.query for request in entity_requests] == [operation, operation]
    assert [request.variables for request in entity_requests] == [
        {
            "contextualArgument_2_0": "EUR",
            "representations": [
                {"__typename": "U", "id": "u1"},
                {"__typename": "U", "id": "u2"},
            ],
        },
        {
            "contextualArgument_2_0": "USD",
            "representations": [
                {"__typename": "U", "id": "u1"},
                {"__typename": "U", "id": "u2"},
            ],
        },
    ]


async def test_a_missing_context_value_is_sent_as_null() -> None:
    def billing_without_currency(request: SubgraphRequest) -> dict[str, Any]:
        representations = (request.variables or {})["representations"]
        return {"data": {"_entities": [{"currency": None} for _ in representations]}}

    def shop(request: SubgraphRequest) -> dict[str, Any]:
        variables = request.variables or {}
        if "representations" not in variables:
            t = {"__typename": "T", "id": "t1", "u": {"__typename": "U", "id": "u1"}}
            return {"data": {"t": t}}
        price = 0 if variables["contextualArgument_2_0"] is None else 1
        return {"data": {"_entities": [{"price": price}]}}

    fetcher = RecordingFetcher({"shop": shop, "billing": billing_without_currency})
    engine = QueryEngine(fixture_supergraph("context"), fetcher)

    assert await run(engine, "{ t { u { price } } }") == {"data": {"t": {"u": {"price": 0}}}}
    assert fetcher.sent_to("shop")[1].variables == {
        "contextualArgument_2_0": None,
        "representations": [{"__typename": "U", "id": "u1"}],
    }
