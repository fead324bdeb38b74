"""Compiled entity collection finds exactly what ``collect_entities`` finds, in its order."""

from __future__ import annotations

from typing import Any

import pytest

from router.executor.collect_codegen import compiled_collect
from router.executor.representations import EntityBatch, collect_entities
from router.planner.nodes import EntityTarget, RepresentationRule
from router.planner.selection import SubSelection


def _keys(*names: str) -> SubSelection:
    selection = SubSelection()
    selection.add_typename()
    for name in names:
        selection.add_field(name, name)
    return selection


def _nested_key() -> SubSelection:
    """{ __typename id owner { id } ... on Book { isbn } }"""
    selection = _keys("id")
    owner = selection.add_field("owner", "owner", composite=True)
    assert owner is not None
    owner.add_field("id", "id")
    selection.fragment("Book").add_field("isbn", "isbn")
    return selection


PRODUCT = {"Product": RepresentationRule("Product", _keys("upc"))}
TARGETS = (
    EntityTarget(("items", "@"), PRODUCT, SubSelection()),
    EntityTarget(("items", "@", "related", "@", "@"), PRODUCT, SubSelection()),
    EntityTarget(
        ("items", "@", "seller"),
        {
            "User": RepresentationRule("User", _keys("id", "region")),
            # An implementation represented as its interface (an @interfaceObject hop).
            "Admin": RepresentationRule("Account", _keys("id", "region")),
            "Book": RepresentationRule("Book", _nested_key()),
            "Film": RepresentationRule("Film", _nested_key()),
        },
        SubSelection(),
    ),
    EntityTarget(("top",), PRODUCT, SubSelection()),
    EntityTarget(("items",), PRODUCT, SubSelection()),  # a list, never an object
)


def _product(upc: Any, **more: Any) -> dict[str, Any]:
    return {"__typename": "Product", "upc": upc, **more}


def _seller(typename: str, **fields: Any) -> dict[str, Any]:
    return {"__typename": typename, **fields}


DATA: list[dict[str, Any]] = [
    {},
    {"items": None, "top": None},
    {"items": "not a list", "top": ["not an object"]},
    {
        "top": _product("1"),
        "items": [
            _product("1", related=[[_product("2"), None, _product(2)], None, [_product("1")]]),
            None,
            "scalar",
            [_product("nested list, not an item")],
            _product(1, seller=_seller("User", id="u1", region="eu")),
            _product(1.0, seller=_seller("User", id="u1", region=None)),
            _product(True, seller=_seller("User", id="u1", region="eu")),
            _product([1], seller=_seller("Admin", id="u1", region="eu")),
            _product([1], seller=_seller("User", id="u1")),  # a key field missing
            _product({"a": 1}, seller=_seller("Robot", id="r1", region="eu")),
            {"upc": "no typename", "seller": None},
            _product(None, related=None, seller=_seller("Book", id="b", owner=None, isbn="9")),
            _product("3", seller=_seller("Book", id="b", owner={"id": "o"}, isbn="9")),
            _product("3", seller=_seller("Book", id="b", owner={"id": "o"}, isbn="9")),
            _product("4", seller=_seller("Film", id="f", owner=[{"id": "o"}])),
            _product("5", seller=_seller("Book", id="b", owner={"id": "o"})),  # isbn missing
            _product(2.5, related=[[_product(2.5), _product(2.50)]]),
        ],
    },
]


def _described(batch: EntityBatch) -> tuple[list[Any], list[list[tuple[int, int]]]]:
    return batch.representations, [
        [(id(entity), index) for entity, index in owners] for owners in batch.targets
    ]


@pytest.mark.parametrize("data", DATA)
def test_compiled_collection_matches_collect_entities(data: dict[str, Any]) -> None:
    compiled = compiled_collect(TARGETS)(data)
    reference = collect_entities(data, TARGETS)
    assert _described(compiled) == _described(reference)
    # The same dictionaries, keys in the same order: the subgraph gets the same request body.
    assert [list(r) for r in compiled.representations] == [
        list(r) for r in reference.representations
    ]


def test_values_that_compare_equal_in_python_stay_distinct_representations() -> None:
    batch = compiled_collect(TARGETS)(DATA[3])
    upcs = [r["upc"] for r in batch.representations if r["__typename"] == "Product"]
    assert 1 in upcs and True in upcs and 1.0 in upcs
    assert len([u for u in upcs if u == 1]) == 3  # 1, 1.0 and True: three representations


def test_compiled_collection_is_cached_per_targets() -> None:
    assert compiled_collect(TARGETS) is compiled_collect(TARGETS)


def test_deep_list_paths_fall_back_to_the_interpreter() -> None:
    path = ("items", *("@",) * 20)
    targets = (EntityTarget(path, PRODUCT, SubSelection()),)
    data: dict[str, Any] = {"items": _product("deep")}
    for _ in range(20):
        data["items"] = [data["items"]]
    batch = compiled_collect(targets)(data)
    assert batch.representations == [{"__typename": "Product", "upc": "deep"}]
