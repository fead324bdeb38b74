"""Mutations: root fields run one after another, each followed by its own entity fetches."""

from __future__ import annotations

from typing import Any

from router.executor import QueryEngine
from router.types import SubgraphRequest
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph, run

SUPERGRAPH = fixture_supergraph("mutations")


def accounts(request: SubgraphRequest) -> dict[str, Any]:
    if "_entities" in request.query:
        return {"data": {"_entities": [{"name": "Ada"}]}}
    return {"data": {"a": {"__typename": "User", "id": "u1", "name": "Ada"}}}


def reviews(request: SubgraphRequest) -> dict[str, Any]:
    if "_entities" in request.query:
        return {"data": {"_entities": [{"reviews": []}]}}
    return {
        "data": {"b": {"id": "r1", "author": {"__typename": "User", "id": "u1"}}},
    }


async def test_mutation_fields_and_their_entity_fetches_run_in_document_order() -> None:
    fetcher = RecordingFetcher({"accounts": accounts, "reviews": reviews})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(
        engine,
        'mutation M($body: String!) { a: createUser(name: "Ada") { id name reviews { id } } '
        'b: addReview(body: $body, authorId: "u1") { id author { name } } }',
        {"body": "nice"},
    )

    assert [(name, request.operation_name) for name, request in fetcher.requests] == [
        ("accounts", "M__accounts__0"),
        ("reviews", "M__reviews__1"),
        ("reviews", "M__reviews__2"),
        ("accounts", "M__accounts__3"),
    ]
    assert fetcher.requests[0][1].query.startswith("mutation M__accounts__0")
    assert fetcher.requests[1][1].query.startswith("query M__reviews__1")
    assert fetcher.requests[2][1].variables == {"body": "nice"}
    assert response == {
        "data": {
            "a": {"id": "u1", "name": "Ada", "reviews": []},
            "b": {"id": "r1", "author": {"name": "Ada"}},
        }
    }


async def test_a_failed_mutation_field_does_not_stop_the_next_one() -> None:
    fetcher = RecordingFetcher({"reviews": reviews}, down=frozenset({"accounts"}))
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(
        engine,
        'mutation { a: createUser(name: "Ada") { id } '
        'b: addReview(body: "x", authorId: "u1") { id } }',
    )

    # createUser is User! at the root of a mutation: its null makes the whole data null.
    assert response["data"] is None
    assert [name for name, _ in fetcher.requests] == ["accounts", "reviews"]
    assert response["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"


async def test_a_subgraph_answer_nulled_by_its_own_error_adds_no_further_errors() -> None:
    def accounts_conflict(request: SubgraphRequest) -> dict[str, Any]:
        # createUser is User!: its error nulls the subgraph's whole answer, renameUser too.
        return {
            "data": None,
            "errors": [{"message": "taken", "path": ["b"], "extensions": {"code": "CONFLICT"}}],
        }

    fetcher = RecordingFetcher({"accounts": accounts_conflict})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(
        engine,
        'mutation { a: renameUser(id: "u1", name: "A") { name } b: createUser(name: "A") { id } }',
    )

    assert len(fetcher.requests) == 1  # one subgraph, nothing between: one request
    assert response == {
        "data": None,
        "errors": [
            {
                "message": "taken",
                "path": ["b"],
                "extensions": {"code": "CONFLICT", "serviceName": "accounts"},
            }
        ],
    }
