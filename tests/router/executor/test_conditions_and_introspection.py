"""@skip/@include decide what is fetched; introspection is answered without subgraphs."""

from __future__ import annotations

from typing import Any

from router.executor import QueryEngine
from router.types import SubgraphRequest
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph, run

SUPERGRAPH = fixture_supergraph("benchmark")


def accounts(_: SubgraphRequest) -> dict[str, Any]:
    return {"data": {"me": {"__typename": "User", "id": "1", "name": "Ada"}}}


def reviews(request: SubgraphRequest) -> dict[str, Any]:
    count = len(request.variables["representations"])
    return {"data": {"_entities": [{"reviews": [{"body": "ok"}]}] * count}}


QUERY = "query Q($full: Boolean!) { me { name ... @include(if: $full) { reviews { body } } } }"


async def test_skipped_fragment_causes_no_entity_fetch() -> None:
    fetcher = RecordingFetcher({"accounts": accounts, "reviews": reviews})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, QUERY, {"full": False})

    assert response == {"data": {"me": {"name": "Ada"}}}
    assert [name for name, _ in fetcher.requests] == ["accounts"]


async def test_included_fragment_fetches_its_entity_fields() -> None:
    fetcher = RecordingFetcher({"accounts": accounts, "reviews": reviews})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, QUERY, {"full": True})

    assert response == {"data": {"me": {"name": "Ada", "reviews": [{"body": "ok"}]}}}
    assert [name for name, _ in fetcher.requests] == ["accounts", "reviews"]


async def test_one_prepared_operation_serves_both_condition_values() -> None:
    fetcher = RecordingFetcher({"accounts": accounts, "reviews": reviews})
    engine = QueryEngine(SUPERGRAPH, fetcher)
    prepared = engine.prepare(QUERY, None)

    assert engine.prepare(QUERY, None) is prepared
    assert await run(engine, QUERY, {"full": False}) == {"data": {"me": {"name": "Ada"}}}
    assert (await run(engine, QUERY, {"full": True}))["data"]["me"]["reviews"] == [{"body": "ok"}]


async def test_introspection_is_answered_from_the_api_schema_without_fetching() -> None:
    fetcher = RecordingFetcher({})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(
        engine,
        "{ __typename __schema { queryType { name } } "
        't: __type(name: "User") { fields { name } } }',
    )

    assert fetcher.requests == []
    assert response == {
        "data": {
            "__typename": "Query",
            "__schema": {"queryType": {"name": "Query"}},
            "t": {
                "fields": [
                    {"name": "id"},
                    {"name": "name"},
                    {"name": "username"},
                    {"name": "birthday"},
                    {"name": "reviews"},
                ]
            },
        }
    }


async def test_introspection_mixes_with_subgraph_fields_in_request_order() -> None:
    fetcher = RecordingFetcher({"accounts": accounts})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(
        engine,
        "query Q { me { name __typename } ...Intro } "
        'fragment Intro on Query { __type(name: "Review") { name } }',
    )

    assert response == {
        "data": {"me": {"name": "Ada", "__typename": "User"}, "__type": {"name": "Review"}}
    }
    assert list(response["data"]) == ["me", "__type"]


async def test_join_machinery_is_invisible_to_introspection() -> None:
    engine = QueryEngine(SUPERGRAPH, RecordingFetcher({}))

    response = await run(engine, "{ __schema { types { name } directives { name } } }")

    names = {t["name"] for t in response["data"]["__schema"]["types"]}
    directives = {d["name"] for d in response["data"]["__schema"]["directives"]}
    assert not {n for n in names if n.startswith(("join__", "link__"))}
    assert {"include", "skip", "deprecated"} <= directives
    assert directives.isdisjoint({"join__field", "join__type", "join__graph", "link"})
