"""Compiled projection and selective merging do exactly what the interpreters do."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from router.executor.merge import merge_selected
from router.executor.merge_codegen import compiled_merge, compiled_project
from router.executor.representations import project
from router.planner.selection import SubSelection


def _selection() -> SubSelection:
    """{ id weird'key product { upc dimensions { size } } ... on Book { isbn
    author { name } } tags { label } matrix { value } }"""
    root = SubSelection()
    root.add_field("id", "id")
    root.add_field("weird'key", "weird")
    product = root.add_field("product", "product", composite=True)
    assert product is not None
    product.add_field("upc", "upc")
    dimensions = product.add_field("dimensions", "dimensions", composite=True)
    assert dimensions is not None
    dimensions.add_field("size", "size")
    book = root.fragment("Book")
    book.add_field("isbn", "isbn")
    author = book.add_field("author", "author", composite=True)
    assert author is not None
    author.add_field("name", "name")
    tags = root.add_field("tags", "tags", composite=True)
    assert tags is not None
    tags.add_field("label", "label")
    matrix = root.add_field("matrix", "matrix", composite=True)
    assert matrix is not None
    matrix.add_field("value", "value")
    return root


SOURCES: list[dict[str, Any]] = [
    {},
    {"id": "1"},
    {"id": None, "weird'key": 3, "product": None, "tags": None, "matrix": None},
    {
        "__typename": "Book",
        "id": "1",
        "weird'key": [1, 2],
        "product": {"upc": "u", "dimensions": {"size": 2, "extra": 1}, "unselected": True},
        "isbn": "978",
        "author": {"name": "Ann", "age": 3},
        "tags": [{"label": "a"}, None, {"label": "b", "x": 1}],
        "matrix": [[{"value": 1}], [], [None, {"value": 2}]],
    },
    {
        "__typename": "Movie",
        "id": "2",
        "weird'key": None,
        "product": {"upc": "v"},
        "isbn": "ignored by project, merged anyway",
        "tags": [{"label": "c"}],
        "matrix": [[{"value": 3}]],
    },
    {"id": "3", "weird'key": 1, "product": "not an object", "tags": "no list", "matrix": 5},
    {"id": "4", "weird'key": 1, "product": {"upc": "w", "dimensions": [{"size": 1}]}},
]
TARGETS: list[dict[str, Any]] = [
    {},
    {"id": "0", "product": {"upc": "old", "dimensions": None, "keep": 1}},
    {"tags": [{"label": "x", "keep": True}], "matrix": "scalar", "author": {"keep": 1}},
    {"tags": [{"label": "x"}, {"label": "y"}, {"label": "z"}], "matrix": [[{}], [], [1, {}]]},
]


@pytest.mark.parametrize("source", SOURCES)
def test_compiled_projection_matches_project(source: dict[str, Any]) -> None:
    selection = _selection()
    assert compiled_project(selection)(source) == project(source, selection)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("source", SOURCES)
def test_compiled_merge_matches_merge_selected(
    source: dict[str, Any], target: dict[str, Any]
) -> None:
    selection = _selection()
    interpreted, compiled = copy.deepcopy(target), copy.deepcopy(target)
    merge_selected(interpreted, copy.deepcopy(source), selection)
    compiled_merge(selection)(compiled, copy.deepcopy(source))
    assert compiled == interpreted
    assert list(compiled) == list(interpreted)  # same key order: the response's field order


def test_compiled_merge_copies_containers() -> None:
    selection = _selection()
    source = copy.deepcopy(SOURCES[3])
    target: dict[str, Any] = {}
    compiled_merge(selection)(target, source)
    assert target["product"] is not source["product"]
    assert target["tags"] is not source["tags"]


def test_compiled_functions_are_reused_per_selection() -> None:
    selection = _selection()
    assert compiled_merge(selection) is compiled_merge(selection)
    assert compiled_project(selection) is compiled_project(selection)
    assert compiled_project(_selection()) is not compiled_project(selection)
