"""Progressive @override at run time: which labels are active for each request.

@apollo/gateway always plans with every override label inactive (it passes no override
conditions to its query planner), so these cases are checked against hand-written expected
data and the exact subgraph requests instead of a differential test.
"""

from __future__ import annotations

import random
from typing import Any

from router.executor import QueryEngine
from router.planner import print_plan
from router.planner.override_labels import OverrideLabelPolicy, label_percent
from router.supergraph import load_supergraph
from router.types import RequestContext, SubgraphRequest
from tests.router.executor.fakes import REPO_ROOT, RecordingFetcher

FIXTURE_SDL = (REPO_ROOT / "tests" / "router" / "fixtures" / "override_labels.graphql").read_text()
OPERATION = '{ product(id: "1") { price shippingCost } }'


def _catalog(request: SubgraphRequest) -> dict[str, Any]:
    product = {"__typename": "Product", "id": "1", "price": 10, "weight": 3, "shippingCost": 5}
    return {"data": {"product": product}}


def _pricing(request: SubgraphRequest) -> dict[str, Any]:
    """Answers exactly the fields the entity fetch selects."""
    entities = []
    for representation in (request.variables or {})["representations"]:
        entity: dict[str, Any] = {}
        if "price" in request.query:
            entity["price"] = 12
        if "shippingCost" in request.query:
            entity["shippingCost"] = representation["weight"] * 2
        entities.append(entity)
    return {"data": {"_entities": entities}}


def _engine(
    sdl: str = FIXTURE_SDL,
    *,
    labels: frozenset[str] = frozenset(),
    rng: random.Random | None = None,
) -> tuple[QueryEngine, RecordingFetcher]:
    fetcher = RecordingFetcher({"catalog": _catalog, "pricing": _pricing})
    engine = QueryEngine(load_supergraph(sdl), fetcher, override_labels=labels, rng=rng)
    return engine, fetcher


async def _run(engine: QueryEngine) -> dict[str, Any]:
    return await engine.execute(engine.prepare(OPERATION, None), None, RequestContext())


def _uses_pricing(engine: QueryEngine) -> bool:
    return 'service: "pricing"' in print_plan(engine.prepare(OPERATION, None).plan)


def test_percent_labels_are_parsed_and_custom_labels_are_not_percentages() -> None:
    assert label_percent("percent(25)") == 25.0
    assert label_percent("percent(0.5)") == 0.5
    assert label_percent("percent(100)") == 100.0
    assert label_percent("percent(101)") is None
    assert label_percent("my-flag") is None


def test_percent_0_is_never_active_and_percent_100_always() -> None:
    policy = OverrideLabelPolicy(
        ["percent(0)", "percent(100)", "my-flag", "other"], ["my-flag"], random.Random(1)
    )
    assert {policy.for_request() for _ in range(200)} == {frozenset({"percent(100)", "my-flag"})}


def test_percent_50_splits_requests_about_evenly_and_labels_are_drawn_independently() -> None:
    policy = OverrideLabelPolicy(["percent(50)", "percent(10)"], rng=random.Random(2024))
    draws = [policy.for_request() for _ in range(2000)]
    fifty = sum("percent(50)" in draw for draw in draws)
    ten = sum("percent(10)" in draw for draw in draws)
    both = sum(len(draw) == 2 for draw in draws)
    assert 900 < fifty < 1100
    assert 150 < ten < 250
    assert 50 < both < 150  # about 2000 * 0.5 * 0.1


def test_the_engine_plans_each_request_with_its_own_draw_and_caches_each_label_set() -> None:
    sdl = FIXTURE_SDL.replace("percent(25)", "percent(50)")
    engine, _ = _engine(sdl, rng=random.Random(7))
    moved = sum(_uses_pricing(engine) for _ in range(400))
    assert 160 < moved < 240
    with_label = engine.prepare(OPERATION, None, override_labels=frozenset({"percent(50)"}))
    assert engine.prepare(OPERATION, None, override_labels=frozenset({"percent(50)"})) is (
        with_label
    )
    assert engine.prepare(OPERATION, None, override_labels=frozenset()) is not with_label


async def test_percent_0_always_asks_the_original_subgraph() -> None:
    engine, fetcher = _engine(FIXTURE_SDL.replace("percent(25)", "percent(0)"))
    for _ in range(20):
        assert await _run(engine) == {"data": {"product": {"price": 10, "shippingCost": 5}}}
    assert fetcher.sent_to("pricing") == []


async def test_percent_100_always_asks_the_overriding_subgraph() -> None:
    engine, fetcher = _engine(FIXTURE_SDL.replace("percent(25)", "percent(100)"))
    for _ in range(20):
        assert await _run(engine) == {"data": {"product": {"price": 12, "shippingCost": 5}}}
    assert len(fetcher.sent_to("pricing")) == 20


async def test_an_enabled_custom_label_sends_the_required_fields_to_the_overriding_subgraph() -> (
    None
):
    sdl = FIXTURE_SDL.replace("percent(25)", "percent(0)")
    engine, fetcher = _engine(sdl, labels=frozenset({"beta-shipping"}))
    assert await _run(engine) == {"data": {"product": {"price": 10, "shippingCost": 6}}}
    [catalog] = fetcher.sent_to("catalog")
    assert catalog.query == 'query{product(id: "1"){__typename price id weight}}'
    [pricing] = fetcher.sent_to("pricing")
    assert pricing.query == (
        "query($representations:[_Any!]!){_entities(representations:$representations)"
        "{...on Product{shippingCost}}}"
    )
    assert pricing.variables == {
        "representations": [{"__typename": "Product", "id": "1", "weight": 3}]
    }


async def test_a_custom_label_that_is_not_enabled_leaves_the_field_where_it_was() -> None:
    sdl = FIXTURE_SDL.replace("percent(25)", "percent(0)")
    engine, fetcher = _engine(sdl, labels=frozenset({"some-other-flag"}))
    assert await _run(engine) == {"data": {"product": {"price": 10, "shippingCost": 5}}}
    assert fetcher.sent_to("pricing") == []
