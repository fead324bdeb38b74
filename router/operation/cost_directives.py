"""The demand-control directives a supergraph carries: ``@cost`` and ``@listSize``.

Spec https://specs.apollo.dev/cost/v0.1 (the IBM GraphQL Cost Directives), under whatever names
the supergraph's ``@link`` gives them (``import: [{name: "@cost", as: "@weight"}]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    value_from_ast_untyped,
)
from graphql.language import ast

from router.supergraph.links import read_links

COST_SPEC = "cost"


@dataclass(frozen=True, slots=True)
class ListSize:
    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: frozenset[str] = frozenset()
    require_one_slicing_argument: bool = True


@dataclass(frozen=True, slots=True)
class CostDirectives:
    """Weights and list sizes by schema coordinate; empty for most supergraphs."""

    # object, scalar and enum types
    types: Mapping[str, int] = field(default_factory=dict)
    # (type, field) of output fields, and of input object fields
    fields: Mapping[tuple[str, str], int] = field(default_factory=dict)
    # (type, field, argument)
    arguments: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    list_sizes: Mapping[tuple[str, str], ListSize] = field(default_factory=dict)


def read_cost_directives(schema: GraphQLSchema) -> CostDirectives:
    """The directives applied in the full supergraph schema (built from its SDL)."""
    names = _directive_names(schema)
    if names is None:
        return CostDirectives()
    cost_name, list_size_name = names
    types: dict[str, int] = {}
    fields: dict[tuple[str, str], int] = {}
    arguments: dict[tuple[str, str, str], int] = {}
    list_sizes: dict[tuple[str, str], ListSize] = {}
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLScalarType | GraphQLEnumType):
            weight = _weight(_directives(named), cost_name)
            if weight is not None:
                types[type_name] = weight
        if isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                weight = _weight(_node_directives(input_field.ast_node), cost_name)
                if weight is not None:
                    fields[type_name, field_name] = weight
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, output_field in named.fields.items():
            field_directives = _node_directives(output_field.ast_node)
            weight = _weight(field_directives, cost_name)
            if weight is not None:
                fields[type_name, field_name] = weight
            list_size = _list_size(field_directives, list_size_name)
            if list_size is not None:
                list_sizes[type_name, field_name] = list_size
            for argument_name, argument in output_field.args.items():
                weight = _weight(_node_directives(argument.ast_node), cost_name)
                if weight is not None:
                    arguments[type_name, field_name, argument_name] = weight
    return CostDirectives(types, fields, arguments, list_sizes)


def _directive_names(schema: GraphQLSchema) -> tuple[str, str] | None:
    """The local names of ``@cost`` and ``@listSize``; None when the supergraph links no cost
    spec and defines no ``@cost(weight:)`` of its own."""
    schema_nodes: list[Any] = [
        node for node in (schema.ast_node, *schema.extension_ast_nodes) if node
    ]
    links = read_links(ast.DocumentNode(definitions=tuple(schema_nodes)))
    link = next((link for link in links if link.name == COST_SPEC), None)
    if link is not None:
        return link.directive_name("cost"), link.directive_name("listSize")
    cost = schema.get_directive("cost")
    if cost is not None and "weight" in cost.args:
        return "cost", "listSize"
    return None


def _directives(named: Any) -> Iterable[ast.DirectiveNode]:
    for node in (named.ast_node, *(named.extension_ast_nodes or ())):
        yield from _node_directives(node)


def _node_directives(node: Any) -> tuple[ast.DirectiveNode, ...]:
    return tuple(getattr(node, "directives", None) or ())


def _arguments(directive: ast.DirectiveNode) -> dict[str, Any]:
    return {
        argument.name.value: value_from_ast_untyped(argument.value)
        for argument in directive.arguments or ()
    }


def _weight(directives: Iterable[ast.DirectiveNode], name: str) -> int | None:
    weights = [
        weight
        for directive in directives
        if directive.name.value == name
        and (weight := _as_weight(_arguments(directive).get("weight"))) is not None
    ]
    return max(weights) if weights else None


def _as_weight(value: object) -> int | None:
    """``Int`` in the cost spec; the IBM draft writes it as a string (``"2.0"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(value)) if isinstance(value, float | str) else None
    except ValueError:
        return None


def _list_size(directives: Iterable[ast.DirectiveNode], name: str) -> ListSize | None:
    for directive in directives:
        if directive.name.value != name:
            continue
        arguments = _arguments(directive)
        assumed = arguments.get("assumedSize")
        return ListSize(
            assumed_size=assumed if isinstance(assumed, int) else None,
            slicing_arguments=tuple(_strings(arguments.get("slicingArguments"))),
            sized_fields=frozenset(_strings(arguments.get("sizedFields"))),
            require_one_slicing_argument=arguments.get("requireOneSlicingArgument") is not False,
        )
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [value] if isinstance(value, str) else []
