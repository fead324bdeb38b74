"""The fast shaping version answers exactly like the interpreter, handing every response that
needs an error to the path-tracking version."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLEnumType

from router.auth.authorize import Denial
from router.executor.shape import (
    COMPOSITE,
    DENIED,
    LEAF,
    RAW,
    TYPENAME,
    ShapeField,
    Shaper,
    ShapeSelection,
)
from router.executor.shape_codegen import NeedsErrors, compile_fast_shape, compile_shape

COLOR = GraphQLEnumType("Color", {"RED": "RED", "BLUE": "BLUE"})


def _leaf(key: str, non_null: bool = False, lists: tuple[bool, ...] = ()) -> ShapeField:
    return ShapeField(key, key, LEAF, non_null, lists, None, f"T.{key}")


def _selection() -> ShapeSelection:
    """Query { item: Item!, items: [Item], raw, stored: field read under another key }, with
    Item an interface of Book/Film: { __typename id: ID! tags: [String!] grid: [[Int]!]
    color: Color colors: [Color!]! }, and Book { pages: Int! } / Film { related: Item }."""
    common = (
        ShapeField("kind", "kind", TYPENAME, True, (), None, "Item.__typename"),
        _leaf("id", non_null=True),
        _leaf("tags", lists=(True,)),
        _leaf("grid", lists=(True, False)),
        ShapeField("color", "color", LEAF, False, (), None, "T.color", COLOR),
        ShapeField("colors", "colors", LEAF, True, (True,), None, "T.colors", COLOR),
    )
    item = ShapeSelection(None, {})
    item.by_type["Book"] = (*common, _leaf("pages", non_null=True))
    item.by_type["Film"] = (
        *common,
        ShapeField("related", "related", COMPOSITE, False, (), item, "Film.related"),
    )
    return ShapeSelection(
        "Query",
        {
            "Query": (
                ShapeField("item", "item", COMPOSITE, True, (), item, "Query.item"),
                ShapeField("items", "items", COMPOSITE, False, (False,), item, "Query.items"),
                ShapeField("raw", "raw", RAW, False, (), None, "Query.raw"),
                ShapeField("alias", "_ehb_alias", LEAF, False, (), None, "Query.alias"),
            )
        },
    )


def _book(**fields: Any) -> dict[str, Any]:
    return {"__typename": "Book", "id": "b", "pages": 3, "colors": ["RED"], **fields}


def _film(**fields: Any) -> dict[str, Any]:
    return {"__typename": "Film", "id": "f", "colors": [], **fields}


VALID: list[dict[str, Any]] = [
    {"item": _book()},
    {
        "item": _film(related=_book(tags=["a", "b"], grid=[[1, None], []], color="BLUE")),
        "items": [None, _book(extra=1), _film(related=None), {"__typename": "Robot"}, "x"],
        "raw": {"any": ["thing"]},
        "_ehb_alias": 5,
        "alias": "not read",
    },
    {"item": _film(related="not an object", tags=None, grid=None), "items": "not a list"},
]
NEEDING_ERRORS: list[dict[str, Any]] = [
    {},
    {"item": None},
    {"item": {"__typename": "Robot"}},
    {"item": _book(id=None)},
    {"item": _book(pages=None), "items": [_book()]},
    {"item": _book(tags=["a", None])},
    {"item": _book(grid=[[1], None])},
    {"item": _book(color="GREEN")},
    {"item": _book(colors=["RED", "GREEN"])},
    {"item": _book(colors=None)},
    {"item": _book(), "items": [_film(related=_book(id=None)), _book(color="GREEN")]},
]


def _interpreted(data: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    return Shaper(errors).shape_root(data, _selection()), errors


def _compiled(data: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    return Shaper(errors).run_compiled(data, compile_shape(_selection())), errors


@pytest.mark.parametrize("data", VALID)
def test_responses_without_errors_take_the_fast_version(data: dict[str, Any]) -> None:
    fast = compile_fast_shape(_selection())
    assert fast is not None
    shaped, errors = _interpreted(data)
    assert errors == []
    assert fast(data) == shaped
    assert _compiled(data) == (shaped, [])


@pytest.mark.parametrize("data", NEEDING_ERRORS)
def test_responses_needing_errors_are_shaped_by_the_tracking_version(
    data: dict[str, Any],
) -> None:
    fast = compile_fast_shape(_selection())
    assert fast is not None
    shaped, errors = _interpreted(data)
    assert errors
    with pytest.raises(NeedsErrors):
        fast(data)
    assert _compiled(data) == (shaped, errors)


def test_operations_with_denied_fields_have_no_fast_version() -> None:
    denied = ShapeField(
        "secret",
        "secret",
        DENIED,
        False,
        (),
        None,
        "Query.secret",
        denial=Denial("UNAUTHORIZED_FIELD_OR_TYPE", "no"),
    )
    selection = ShapeSelection("Query", {"Query": (_leaf("id"), denied)})
    assert compile_fast_shape(selection) is None
    errors: list[dict[str, Any]] = []
    shaped = Shaper(errors).run_compiled({"id": 1}, compile_shape(selection))
    assert shaped == {"id": 1, "secret": None}
    assert [error["path"] for error in errors] == [["secret"]]
