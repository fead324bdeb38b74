"""Subgraph errors with client paths, unavailable subgraphs, and null propagation."""

from __future__ import annotations

from typing import Any

import pytest

from router.executor import QueryEngine
from router.types import SubgraphRequest
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph, run

BENCHMARK = fixture_supergraph("benchmark")
KEYS = fixture_supergraph("keys")


def two_users(_: SubgraphRequest) -> dict[str, Any]:
    return {
        "data": {"users": [{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}]}
    }


async def test_entity_errors_are_reported_at_the_client_path_of_the_entity() -> None:
    def reviews(request: SubgraphRequest) -> dict[str, Any]:
        return {
            "data": {"_entities": [{"said": [{"body": "fine"}]}, None]},
            "errors": [
                {
                    "message": "reviews exploded",
                    "path": ["_entities", 1, "said"],
                    "locations": [{"line": 1, "column": 80}],
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ],
        }

    engine = QueryEngine(BENCHMARK, RecordingFetcher({"accounts": two_users, "reviews": reviews}))

    response = await run(engine, "{ users { said: reviews { body } } }")

    assert response == {
        "data": {"users": [{"said": [{"body": "fine"}]}, {"said": None}]},
        "errors": [
            {
                "message": "reviews exploded",
                "path": ["users", 1, "said"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "serviceName": "reviews"},
            }
        ],
    }


async def test_root_errors_keep_their_path_and_gain_the_service_name() -> None:
    def accounts(_: SubgraphRequest) -> dict[str, Any]:
        return {
            "data": {"me": None},
            "errors": [{"message": "not allowed", "path": ["me"]}],
        }

    engine = QueryEngine(BENCHMARK, RecordingFetcher({"accounts": accounts}))

    response = await run(engine, "{ me { name } }")

    assert response == {
        "data": {"me": None},
        "errors": [
            {"message": "not allowed", "path": ["me"], "extensions": {"serviceName": "accounts"}}
        ],
    }


async def test_unavailable_subgraph_yields_partial_data_and_an_error() -> None:
    fetcher = RecordingFetcher({"accounts": two_users}, down=frozenset({"reviews"}))
    engine = QueryEngine(BENCHMARK, fetcher)

    response = await run(engine, "{ users { id reviews { body } } }")

    assert response["data"] == {
        "users": [{"id": "1", "reviews": None}, {"id": "2", "reviews": None}]
    }
    # One error at each object the failed entity fetch was to complete.
    assert [error["path"] for error in response["errors"]] == [["users", 0], ["users", 1]]
    for error in response["errors"]:
        assert error["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "reviews"}
        assert "reviews" in error["message"]


async def test_unavailable_root_subgraph_nulls_only_its_own_fields() -> None:
    fetcher = RecordingFetcher(
        {"products": lambda _: {"data": {"topProducts": [{"name": "Table"}]}}},
        down=frozenset({"accounts"}),
    )
    engine = QueryEngine(BENCHMARK, fetcher)

    response = await run(engine, "{ me { name } topProducts { name } }")

    assert response["data"] == {"me": None, "topProducts": [{"name": "Table"}]}
    assert [(e["extensions"]["code"], e["path"]) for e in response["errors"]] == [
        ("SUBGRAPH_UNAVAILABLE", ["me"])
    ]


async def test_null_in_a_non_null_field_bubbles_to_the_nearest_nullable_parent() -> None:
    def users(_: SubgraphRequest) -> dict[str, Any]:
        # User.email is String! but the subgraph answers null for the second user.
        return {"data": {"users": [{"email": "a@x", "name": "A"}, {"email": None, "name": "B"}]}}

    engine = QueryEngine(KEYS, RecordingFetcher({"users": users}))

    response = await run(engine, "{ users { name email } }")

    # users: [User!]! -- the null item bubbles through the non-null list item to `users`,
    # which is non-null too, so the whole data becomes null.
    assert response == {
        "data": None,
        "errors": [
            {
                "message": "Cannot return null for non-nullable field User.email.",
                "path": ["users", 1, "email"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }


async def test_null_bubbling_stops_at_a_nullable_field() -> None:
    def ledger(_: SubgraphRequest) -> dict[str, Any]:
        return {"data": {"invoices": [{"number": 1}, {"number": None}]}}

    engine = QueryEngine(KEYS, RecordingFetcher({"ledger": ledger}))

    response = await run(engine, "{ invoices { number } }")

    assert response["data"] == {"invoices": [{"number": 1}, None]}
    assert response["errors"][0]["path"] == ["invoices", 1, "number"]


async def test_wrong_number_of_entities_is_reported_clearly() -> None:
    engine = QueryEngine(
        BENCHMARK,
        RecordingFetcher({"accounts": two_users, "reviews": lambda _: {"data": {"_entities": []}}}),
    )

    response = await run(engine, "{ users { id reviews { body } } }")

    assert response["data"] == {
        "users": [{"id": "1", "reviews": None}, {"id": "2", "reviews": None}]
    }
    [error] = response["errors"]
    assert error["extensions"]["serviceName"] == "reviews"
    assert "0 entities for 2 representations" in error["message"]


@pytest.mark.parametrize(
    "answer",
    [{"data": None}, {"data": {"_entities": None}}, {"data": {}}, {}],
    ids=["null-data", "null-entities", "no-entities", "empty"],
)
async def test_entity_answer_without_entities_or_errors_is_reported(
    answer: dict[str, Any],
) -> None:
    engine = QueryEngine(
        BENCHMARK, RecordingFetcher({"accounts": two_users, "reviews": lambda _: answer})
    )

    response = await run(engine, "{ users { id reviews { body } } }")

    assert response["data"] == {
        "users": [{"id": "1", "reviews": None}, {"id": "2", "reviews": None}]
    }
    [error] = response["errors"]
    assert error["extensions"] == {"code": "SUBGRAPH_INVALID_RESPONSE", "serviceName": "reviews"}


async def test_root_answer_without_data_or_errors_is_reported() -> None:
    engine = QueryEngine(BENCHMARK, RecordingFetcher({"accounts": lambda _: {"data": None}}))

    response = await run(engine, "{ me { id } }")

    assert response["data"] == {"me": None}
    assert response["errors"][0]["extensions"]["code"] == "SUBGRAPH_INVALID_RESPONSE"
