"""@fromContext at run time: each entity's argument is the value on its own nearest ancestor.

Checked with in-memory subgraphs and the exact requests they receive (@apollo/gateway refuses
supergraphs that use the context spec; the feature graph's oracle covers the answers end to
end). Entities whose ancestors hold different values still go in one request: ``_entities`` is
selected once per set of values, aliased ``_<i>``, with its own representations and context
variables (``$representations_<i>``, ``$contextualArgument_<g>_<n>_<i>``).
"""

from __future__ import annotations

import copy
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


def _entities(representations: list[dict[str, Any]], currency: Any) -> list[dict[str, Any]]:
    return [{"price": PRICES.get((r["id"], currency))} for r in representations]


def _shop(request: SubgraphRequest) -> dict[str, Any]:
    variables = request.variables or {}
    if "representations" in variables:
        currency = variables.get("contextualArgument_2_0")
        return {"data": {"_entities": _entities(variables["representations"], currency)}}
    if "representations_0" in variables:
        count = sum(1 for name in variables if name.startswith("representations_"))
        return {
            "data": {
                f"_{i}": _entities(
                    variables[f"representations_{i}"], variables[f"contextualArgument_2_0_{i}"]
                )
                for i in range(count)
            }
        }
    return {"data": {"ts": copy.deepcopy(SHOP_TS)}}


def _billing(request: SubgraphRequest) -> dict[str, Any]:
    representations = (request.variables or {})["representations"]
    return {"data": {"_entities": [{"currency": CURRENCY[r["id"]]} for r in representations]}}


async def test_entities_with_different_context_values_share_one_request() -> None:
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
    _, entity_request = fetcher.sent_to("shop")
    assert entity_request.query == (
        "query($representations_0:[_Any!]!,$contextualArgument_2_0_0:String,"
        "$representations_1:[_Any!]!,$contextualArgument_2_0_1:String)"
        "{_0:_entities(representations:$representations_0)"
        "{...on U{price(currency: $contextualArgument_2_0_0)}} "
        "_1:_entities(representations:$representations_1)"
        "{...on U{price(currency: $contextualArgument_2_0_1)}}}"
    )
    assert entity_request.variables == {
        "representations_0": [{"__typename": "U", "id": "u1"}, {"__typename": "U", "id": "u2"}],
        "contextualArgument_2_0_0": "EUR",
        "representations_1": [{"__typename": "U", "id": "u1"}, {"__typename": "U", "id": "u2"}],
        "contextualArgument_2_0_1": "USD",
    }


async def test_one_set_of_context_values_keeps_the_plain_operation() -> None:
    def shop(request: SubgraphRequest) -> dict[str, Any]:
        if "representations" in (request.variables or {}):
            return _shop(request)
        t = {"__typename": "T", "id": "t1", "u": {"__typename": "U", "id": "u1"}}
        return {"data": {"t": t}}

    fetcher = RecordingFetcher({"shop": shop, "billing": _billing})
    engine = QueryEngine(fixture_supergraph("context"), fetcher)

    result = await run(engine, "{ t { u { price } } }")

    assert result == {"data": {"t": {"u": {"price": 100}}}}
    _, entity_request = fetcher.sent_to("shop")
    assert entity_request.query == (
        "query($representations:[_Any!]!,$contextualArgument_2_0:String)"
        "{_entities(representations:$representations)"
        "{...on U{price(currency: $contextualArgument_2_0)}}}"
    )
    assert entity_request.variables == {
        "contextualArgument_2_0": "EUR",
        "representations": [{"__typename": "U", "id": "u1"}],
    }


async def test_errors_under_an_aliased_entities_field_reach_the_objects_of_its_batch() -> None:
    def shop(request: SubgraphRequest) -> dict[str, Any]:
        variables = request.variables or {}
        if "representations_0" not in variables:
            return {"data": {"ts": copy.deepcopy(SHOP_TS)}}
        return {
            "data": {"_0": [{"price": 100}, {"price": 200}], "_1": [{"price": 110}, None]},
            "errors": [{"message": "no USD price", "path": ["_1", 1, "price"]}],
        }

    fetcher = RecordingFetcher({"shop": shop, "billing": _billing})
    engine = QueryEngine(fixture_supergraph("context"), fetcher)

    result = await run(engine, "{ ts { us { price } } }")

    assert result["data"] == {
        "ts": [
            {"us": [{"price": 100}]},
            {"us": [{"price": 110}, {"price": None}]},
            {"us": [{"price": 200}]},
        ]
    }
    assert result["errors"] == [
        {
            "message": "no USD price",
            "path": ["ts", 1, "us", 1, "price"],
            "extensions": {"serviceName": "shop"},
        }
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


async def test_each_union_member_passes_its_own_branch_of_the_context_selection() -> None:
    places = [
        {"__typename": "Farm", "owner": "ann", "crops": [{"__typename": "W", "id": "w1"}]},
        {"__typename": "Mill", "miller": "bob", "crops": [{"__typename": "W", "id": "w1"}]},
    ]

    def farms(request: SubgraphRequest) -> dict[str, Any]:
        variables = request.variables or {}
        if "representations_0" not in variables:
            return {"data": {"places": copy.deepcopy(places)}}
        return {
            "data": {
                f"_{i}": [
                    {"label": f"{r['id']} by {variables[f'contextualArgument_1_0_{i}']}"}
                    for r in variables[f"representations_{i}"]
                ]
                for i in range(2)
            }
        }

    fetcher = RecordingFetcher({"farms": farms})
    engine = QueryEngine(fixture_supergraph("context_union"), fetcher)

    result = await run(
        engine, "{ places { ... on Farm { crops { label } } ... on Mill { crops { label } } } }"
    )

    assert result == {
        "data": {
            "places": [{"crops": [{"label": "w1 by ann"}]}, {"crops": [{"label": "w1 by bob"}]}]
        }
    }
    _, entity_request = fetcher.sent_to("farms")
    assert entity_request.variables == {
        "representations_0": [{"__typename": "W", "id": "w1"}],
        "contextualArgument_1_0_0": "ann",
        "representations_1": [{"__typename": "W", "id": "w1"}],
        "contextualArgument_1_0_1": "bob",
    }


BASE = {"u1": 110, "u2": 300}
RATE = {"EUR": 1, "USD": 2}


async def test_each_entity_reads_the_nearest_ancestor_its_path_sets_the_context_on() -> None:
    # u1 sits under a Counter (USD, which sets the context), u2 under a Shelf (which does not)
    # of a Shop (EUR): one request, one aliased _entities per currency.
    shops = [
        {
            "__typename": "Shop",
            "currency": "EUR",
            "things": [
                {
                    "__typename": "Counter",
                    "currency": "USD",
                    "items": [{"__typename": "U", "id": "u1"}],
                },
                {"__typename": "Shelf", "items": [{"__typename": "U", "id": "u2"}]},
            ],
        }
    ]

    def shop(request: SubgraphRequest) -> dict[str, Any]:
        variables = request.variables or {}
        if "representations_0" not in variables:
            return {"data": {"shops": copy.deepcopy(shops)}}
        return {
            "data": {
                f"_{i}": [
                    {"price": BASE[r["id"]] * RATE[variables[f"contextualArgument_1_0_{i}"]]}
                    for r in variables[f"representations_{i}"]
                ]
                for i in range(2)
            }
        }

    fetcher = RecordingFetcher({"shop": shop})
    engine = QueryEngine(fixture_supergraph("context_nested"), fetcher)

    result = await run(
        engine, "{ shops { things { items { price } ... on Counter { items { price } } } } }"
    )

    assert result == {
        "data": {
            "shops": [
                {
                    "things": [
                        {"items": [{"price": 220}]},
                        {"items": [{"price": 300}]},
                    ]
                }
            ]
        }
    }
