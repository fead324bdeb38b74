"""@interfaceObject: objects typed as the interface get their real type from the subgraph
that knows the implementations; implementation fields are fetched with the interface's
name in the representation."""

from __future__ import annotations

from typing import Any

from router.executor import QueryEngine
from router.types import SubgraphRequest
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph, run

SUPERGRAPH = fixture_supergraph("interface_object")
CATALOGUE = {
    "b1": {"__typename": "Book", "title": "Dune", "pages": 412},
    "m1": {"__typename": "Movie", "title": "Alien", "minutes": 117},
}
STARS = {"b1": 5, "m1": 3}


def library(request: SubgraphRequest) -> dict[str, Any]:
    if "_entities" in request.query:
        return {
            "data": {
                "_entities": [
                    dict(CATALOGUE[r["id"]]) for r in request.variables["representations"]
                ]
            }
        }
    return {
        "data": {
            "allMedia": [
                {"__typename": "Book", "id": "b1", "title": "Dune"},
                {"__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117},
            ]
        }
    }


def ratings(request: SubgraphRequest) -> dict[str, Any]:
    if "_entities" in request.query:
        return {
            "data": {
                "_entities": [
                    {"stars": STARS[r["id"]]} for r in request.variables["representations"]
                ]
            }
        }
    return {
        "data": {
            "topRated": [
                {"__typename": "Media", "id": "b1", "stars": 5},
                {"__typename": "Media", "id": "m1", "stars": 3},
            ]
        }
    }


async def test_objects_from_an_interface_object_get_their_concrete_type() -> None:
    fetcher = RecordingFetcher({"library": library, "ratings": ratings})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "{ topRated { id stars title __typename ... on Book { pages } } }")

    assert response == {
        "data": {
            "topRated": [
                {"id": "b1", "stars": 5, "title": "Dune", "__typename": "Book", "pages": 412},
                {"id": "m1", "stars": 3, "title": "Alien", "__typename": "Movie"},
            ]
        }
    }
    [typename_hop] = fetcher.sent_to("library")
    assert typename_hop.variables["representations"] == [
        {"__typename": "Media", "id": "b1"},
        {"__typename": "Media", "id": "m1"},
    ]


async def test_implementation_fields_are_fetched_with_the_interface_typename() -> None:
    fetcher = RecordingFetcher({"library": library, "ratings": ratings})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "{ allMedia { id title stars ... on Movie { minutes } } }")

    assert response == {
        "data": {
            "allMedia": [
                {"id": "b1", "title": "Dune", "stars": 5},
                {"id": "m1", "title": "Alien", "stars": 3, "minutes": 117},
            ]
        }
    }
    [stars_fetch] = fetcher.sent_to("ratings")
    assert stars_fetch.variables["representations"] == [
        {"__typename": "Media", "id": "b1"},
        {"__typename": "Media", "id": "m1"},
    ]


async def test_interface_level_fields_need_no_type_resolution() -> None:
    fetcher = RecordingFetcher({"library": library, "ratings": ratings})
    engine = QueryEngine(SUPERGRAPH, fetcher)

    response = await run(engine, "{ topRated { id stars } }")

    assert response == {"data": {"topRated": [{"id": "b1", "stars": 5}, {"id": "m1", "stars": 3}]}}
    assert [name for name, _ in fetcher.requests] == ["ratings"]
