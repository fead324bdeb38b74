"""How field and argument types from several subgraphs combine into one supergraph type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from graphql import GraphQLList, GraphQLNonNull, GraphQLNullableType, GraphQLType

IsSubtype = Callable[[str, str], bool]  # (maybe_subtype_name, supertype_name)


def merge_output_types(types: Sequence[GraphQLType], is_subtype: IsSubtype) -> str | None:
    """The most general of the types (nullable wins, an interface/union beats its members).

    None when two types cannot be reconciled (different list depth, unrelated named types).
    """
    merged: GraphQLType | None = types[0]
    for other in types[1:]:
        assert merged is not None
        merged = _combine(merged, other, general=True, is_subtype=is_subtype)
        if merged is None:
            return None
    return str(merged)


def merge_input_types(types: Sequence[GraphQLType]) -> str | None:
    """The most restrictive of the types (non-null wins); the named types must be equal."""
    merged: GraphQLType | None = types[0]
    for other in types[1:]:
        assert merged is not None
        merged = _combine(merged, other, general=False, is_subtype=lambda _a, _b: False)
        if merged is None:
            return None
    return str(merged)


def _combine(a: Any, b: Any, *, general: bool, is_subtype: IsSubtype) -> GraphQLType | None:
    a_non_null, b_non_null = isinstance(a, GraphQLNonNull), isinstance(b, GraphQLNonNull)
    inner_a = a.of_type if a_non_null else a
    inner_b = b.of_type if b_non_null else b
    combined: GraphQLType
    if isinstance(inner_a, GraphQLList) and isinstance(inner_b, GraphQLList):
        element = _combine(inner_a.of_type, inner_b.of_type, general=general, is_subtype=is_subtype)
        if element is None:
            return None
        combined = GraphQLList(element)
    elif isinstance(inner_a, GraphQLList) or isinstance(inner_b, GraphQLList):
        return None
    elif inner_a.name == inner_b.name or (general and is_subtype(inner_a.name, inner_b.name)):
        combined = inner_b
    elif general and is_subtype(inner_b.name, inner_a.name):
        combined = inner_a
    else:
        return None
    non_null = (a_non_null and b_non_null) if general else (a_non_null or b_non_null)
    return GraphQLNonNull(cast(GraphQLNullableType, combined)) if non_null else combined
