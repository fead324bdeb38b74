"""Aliases for fields a subgraph cannot merge are undone before anything reads the answer.

tests/fixtures/features/field_types: zoo and vet disagree on the nullability of ``name`` and
``weight`` of Dog and Cat, so one of each pair travels as ``<field>__alias_<n>``; the client
sees its own response keys, errors included.
"""

from __future__ import annotations

from typing import Any

from router.executor import QueryEngine
from router.executor.merge import apply_renames, renamed_path
from router.planner.aliases import Rename
from router.supergraph import load_supergraph
from router.types import SubgraphRequest
from tests.router.executor.fakes import REPO_ROOT, RecordingFetcher, run

SUPERGRAPH = load_supergraph(
    (
        REPO_ROOT / "tests" / "fixtures" / "features" / "field_types" / "supergraph.graphql"
    ).read_text()
)


async def test_a_root_fetch_answer_is_read_under_the_client_keys() -> None:
    def zoo(request: SubgraphRequest) -> dict[str, Any]:
        # Animal.name and Cat.name are String in zoo, Dog.name is String!
        assert request.query == (
            "query{animals{__typename name ...on Dog{name__alias_0: name} ...on Cat{name}}}"
        )
        return {
            "data": {
                "animals": [
                    {"__typename": "Dog", "name": "Rex", "name__alias_0": "Rex"},
                    {"__typename": "Cat", "name": "Tom"},
                ]
            }
        }

    engine = QueryEngine(SUPERGRAPH, RecordingFetcher({"zoo": zoo}))

    result = await run(engine, "{ animals { name ... on Dog { name } ... on Cat { name } } }")

    assert result == {"data": {"animals": [{"name": "Rex"}, {"name": "Tom"}]}}


async def test_entity_errors_under_an_alias_are_reported_at_the_client_path() -> None:
    def shelter(request: SubgraphRequest) -> dict[str, Any]:
        dog = {"__typename": "Dog", "id": "d1"}
        cat = {"__typename": "Cat", "id": "c1"}
        return {"data": {"adoptions": [{"dog": dog, "cat": cat}]}}

    def vet(request: SubgraphRequest) -> dict[str, Any]:
        assert "...on Cat{name__alias_0: name}" in request.query
        return {
            "data": {"_entities": [{"name": "Rex"}, None]},
            "errors": [{"message": "no name", "path": ["_entities", 1, "name__alias_0"]}],
        }

    engine = QueryEngine(SUPERGRAPH, RecordingFetcher({"shelter": shelter, "vet": vet}))

    result = await run(engine, "{ adoptions { dog { name } cat { name } } }")

    assert result["data"] == {"adoptions": [{"dog": {"name": "Rex"}, "cat": {"name": None}}]}
    assert result["errors"] == [
        {
            "message": "no name",
            "path": ["adoptions", 0, "cat", "name"],
            "extensions": {"serviceName": "vet"},
        }
    ]


def test_an_aliased_object_merges_into_the_same_field_selected_elsewhere() -> None:
    value = {"owner": {"a": 1}, "owner__alias_0": {"b": 2}, "items": [{"x__alias_0": 3}]}
    apply_renames(
        value,
        {
            "owner__alias_0": Rename("owner", None),
            "items": Rename(None, {"x__alias_0": Rename("x", None)}),
        },
    )
    assert value == {"owner": {"a": 1, "b": 2}, "items": [{"x": 3}]}


def test_error_paths_follow_the_renames_level_by_level() -> None:
    renames = {"animals": Rename(None, {"name__alias_0": Rename("name", None)})}
    assert renamed_path(["animals", 2, "name__alias_0"], renames) == ["animals", 2, "name"]
    assert renamed_path(["other", "name__alias_0"], renames) == ["other", "name__alias_0"]
