"""Entity fetches: representations deduplicated by value, results fanned back in order."""

from __future__ import annotations

from typing import Any

from router.executor import QueryEngine
from router.types import SubgraphRequest
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph, run

SUPERGRAPH = fixture_supergraph("benchmark")


def accounts(request: SubgraphRequest) -> dict[str, Any]:
    if "_entities" in request.query:
        names = {"1": "Ada", "2": "Grace"}
        return {
            "data": {
                "_entities": [
                    {"name": names[r["id"]]} for r in request.variables["representations"]
                ]
            }
        }
    return {
        "data": {
            "users": [
                {"__typename": "User", "id": "1"},
                {"__typename": "User", "id": "2"},
                None,
                {"__typename": "User", "id": "1"},
            ]
        }
    }


def reviews(request: SubgraphRequest) -> dict[str, Any]:
    representations = request.variables["representations"]
    return {
        "data": {
            "_entities": [
                {
                    "reviews": [
                        {
                            "body": f"review of {r['id']}",
                            "author": {"__typename": "User", "id": r["id"]},
                        }
                    ]
                }
                for r in representations
            ]
        }
    }


async def test_each_distinct_representation_is_sent_once_and_answers_every_copy() -> None:
    fetcher = RecordingFetcher({"accounts": accounts, "reviews": reviews})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "query Q { users { id reviews { body author { name } } } }")

    [reviews_request] = fetcher.sent_to("reviews")
    assert reviews_request.variables == {
        "representations": [{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}]
    }
    assert reviews_request.operation_name == "Q__reviews__1"
    _, names_request = fetcher.sent_to("accounts")
    assert names_request.variables["representations"] == [
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "2"},
    ]
    ada = {"id": "1", "reviews": [{"body": "review of 1", "author": {"name": "Ada"}}]}
    grace = {"id": "2", "reviews": [{"body": "review of 2", "author": {"name": "Grace"}}]}
    assert response == {"data": {"users": [ada, grace, None, ada]}}


async def test_no_entity_fetch_when_the_path_holds_no_entities() -> None:
    fetcher = RecordingFetcher({"accounts": lambda _: {"data": {"users": []}}})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "{ users { reviews { body } } }")

    assert response == {"data": {"users": []}}
    assert [name for name, _ in fetcher.requests] == ["accounts"]


async def test_client_variables_are_passed_as_variables_never_inlined() -> None:
    fetcher = RecordingFetcher(
        {"accounts": lambda _: {"data": {"user": {"name": "Ada"}}}},
    )
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "query Q($id: ID!) { user(id: $id) { name } }", {"id": "7"})

    [(_, request)] = fetcher.requests
    assert request.query == "query Q__accounts__0($id:ID!){user(id: $id){name}}"
    assert request.variables == {"id": "7"}
    assert response == {"data": {"user": {"name": "Ada"}}}


async def test_declared_defaults_are_sent_when_the_client_omits_a_variable() -> None:
    fetcher = RecordingFetcher({"products": lambda _: {"data": {"topProducts": []}}})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    await run(engine, "query Q($n: Int = 3) { topProducts(first: $n) { name } }")

    assert fetcher.requests[0][1].variables == {"n": 3}


async def test_error_of_a_shared_representation_is_reported_at_every_path() -> None:
    def failing_reviews(request: SubgraphRequest) -> dict[str, Any]:
        return {
            "data": {"_entities": [None, {"reviews": []}]},
            "errors": [{"message": "boom", "path": ["_entities", 0, "reviews"]}],
        }

    fetcher = RecordingFetcher({"accounts": accounts, "reviews": failing_reviews})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "{ users { id reviews { body } } }")

    assert response["data"] == {
        "users": [
            {"id": "1", "reviews": None},
            {"id": "2", "reviews": []},
            None,
            {"id": "1", "reviews": None},
        ]
    }
    assert [(e["message"], e["path"]) for e in response["errors"]] == [
        ("boom", ["users", 0, "reviews"]),
        ("boom", ["users", 3, "reviews"]),
    ]
