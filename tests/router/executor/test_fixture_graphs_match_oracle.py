"""Random operations over each fixture supergraph: the engine, talking to in-memory subgraphs
that check what they are sent, must answer exactly like the unfederated oracle."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema

from router.executor import QueryEngine
from tests.fixtures.differential.operations import GenerationSettings, generate_operations
from tests.router.executor.fakes import fixture_supergraph, run
from tests.router.executor.federated_world import FederatedWorld, World


def abstract_world() -> World:
    book = {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412, "author": "Herbert"}
    movie = {"__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117}
    podcast = {"__typename": "Podcast", "id": "p1", "episodes": 12}
    by_id = {"b1": book, "m1": movie}
    return {
        "objects": {"Book": [book], "Movie": [movie]},
        "Query": {
            "search": lambda term: [book, movie, book],
            "node": lambda id: by_id.get(id),
            "media": [movie, None, book],
            "featured": podcast,
        },
    }


def interface_object_world() -> World:
    book = {"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412, "stars": 5}
    movie = {"__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117, "stars": 3}
    return {
        "objects": {"Book": [book], "Movie": [movie]},
        "Query": {"allMedia": [book, movie], "topRated": [movie, book, movie]},
    }


def requires_world() -> World:
    def product(id_: str, price: int | None, weight: int | None, width: int) -> dict[str, Any]:
        dimensions = {"__typename": "Dimensions", "width": width, "height": 3}
        shipping = None if weight is None else weight * 2 + width
        total = None if price is None or shipping is None else price + shipping
        return {
            "__typename": "Product",
            "id": id_,
            "price": price,
            "weight": weight,
            "dimensions": dimensions,
            "shipping": shipping,
            "total": total,
        }

    products = [product("p1", 10, 2, 5), product("p2", None, 4, 1), product("p3", 7, None, 2)]
    return {
        "objects": {"Product": products},
        "Query": {"products": products, "cheapest": products[0]},
    }


def keys_world() -> World:
    ada = {"__typename": "User", "id": "u1", "email": "ada@x", "name": "Ada", "plan": "pro"}
    bob = {"__typename": "User", "id": "u2", "email": "bob@x", "name": "Bob", "plan": None}
    eu = {"__typename": "Account", "id": "a1", "region": "eu"}
    us = {"__typename": "Account", "id": "a2", "region": "us"}
    invoices = [
        {"__typename": "Invoice", "account": eu, "number": 1, "total": 100, "paid": True},
        {"__typename": "Invoice", "account": us, "number": 1, "total": 250, "paid": False},
        {"__typename": "Invoice", "account": eu, "number": 2, "total": 75, "paid": False},
    ]
    seats = [
        {"__typename": "Seat", "room": "A", "row": 1, "price": 30, "view": "stage"},
        {"__typename": "Seat", "room": "A", "row": 2, "price": 25, "view": "pillar"},
    ]
    reviews = [
        {"__typename": "Review", "id": "r1", "body": "great", "author": ada},
        {"__typename": "Review", "id": "r2", "body": "meh", "author": bob},
    ]
    return {
        "objects": {
            "User": [ada, bob],
            "Invoice": invoices,
            "Account": [eu, us],
            "Seat": seats,
            "Review": reviews,
        },
        "Query": {
            "user": lambda id: {"u1": ada, "u2": bob}.get(id),
            "users": [ada, bob],
            "invoices": invoices,
            "seats": seats,
            "reviews": reviews,
        },
    }


def provides_world() -> World:
    acme = {"__typename": "Maker", "id": "m1", "name": "Acme", "country": "NL"}
    anvil = {"__typename": "Product", "id": "p1", "name": "Anvil", "price": 30, "maker": acme}
    rope = {"__typename": "Product", "id": "p2", "name": "Rope", "price": 5, "maker": None}
    deals = [
        {"__typename": "Deal", "title": "Half off", "product": anvil},
        {"__typename": "Deal", "title": "Gone", "product": None},
        {"__typename": "Deal", "title": "Cheap", "product": rope},
    ]
    return {
        "objects": {"Maker": [acme], "Product": [anvil, rope]},
        "Query": {"products": [anvil, rope], "deals": deals, "promo": [rope, acme, anvil]},
    }


def requires_abstract_world() -> World:
    def shelf(id_: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        load = sum(i["weight"] for i in items) + sum(i.get("pages", 0) for i in items)
        return {"__typename": "Shelf", "id": id_, "items": items, "load": load}

    book = {"__typename": "Book", "weight": 2, "pages": 100}
    film = {"__typename": "Film", "weight": 3, "minutes": 90}
    shelves = [shelf("s1", [book, film]), shelf("s2", [film]), shelf("s3", [])]
    return {"objects": {"Shelf": shelves}, "Query": {"shelves": shelves}}


def shareable_world() -> World:
    products = [
        {"__typename": "Product", "id": "1", "name": "Lamp", "description": "bright", "stock": 3},
        {"__typename": "Product", "id": "2", "name": "Desk", "description": "wide", "stock": 0},
    ]
    return {
        "objects": {"Product": products},
        "Query": {
            "products": products,
            "shop": {"__typename": "Shop", "name": "Corner"},
            "searchProducts": lambda term: products[::-1],
        },
    }


SEED = 7
OPS = 120
GRAPHS: dict[str, tuple[Any, dict[str, list[Any]]]] = {
    "abstract": (
        abstract_world,
        {"Query.search.term": ["x"], "Query.node.id": ["b1", "m1", "z"]},
    ),
    "interface_object": (interface_object_world, {}),
    "provides": (provides_world, {}),
    "requires": (requires_world, {}),
    "requires_abstract": (requires_abstract_world, {}),
    "keys": (keys_world, {"Query.user.id": ["u1", "u9"]}),
    "shareable": (shareable_world, {"Query.searchProducts.term": ["a"]}),
}


@pytest.mark.parametrize("group", sorted(GRAPHS))
async def test_random_operations_answer_like_the_oracle(group: str) -> None:
    make_world, arguments = GRAPHS[group]
    supergraph = fixture_supergraph(group)
    world = FederatedWorld(group, supergraph, make_world())
    engine = QueryEngine(supergraph, world.fetcher)
    settings = GenerationSettings(argument_values=arguments)
    schema = build_schema(supergraph.api_sdl)
    for operation in generate_operations(schema, seed=SEED, count=OPS, settings=settings):
        document, variables = operation.query, operation.variables
        ours = await run(engine, document, variables)
        expected = world.oracle(document, variables)
        assert ours.get("data") == expected.get("data"), document
        assert ("errors" in ours) == ("errors" in expected), (document, ours.get("errors"))
