"""Demand control: the estimated cost of a validated operation (IBM GraphQL Cost Directives,
with Apollo Router's static-estimation defaults).

- The operation costs its base (a mutation 10, a query or subscription 0) plus its root fields.
- A field costs ``instances * (type cost + its selections) + its arguments``. The type cost is
  the field's ``@cost`` weight, else its type's, else 1 for an object, interface or union and
  0 for a scalar or enum. ``__typename`` and introspection fields cost nothing.
- A list field's instances: the largest slicing argument given (``@listSize(slicingArguments:)``,
  from the query, the variables or the argument's default), else ``assumedSize``, else the
  configured default list size. A field named in its parent's ``sizedFields`` takes the
  parent's size instead. Other fields have 1 instance.
- An argument costs its ``@cost`` weight; an input object value costs 1 (or its weight) plus
  its fields; a list value its weight plus each item; null nothing.
- Fields left out by ``@skip``/``@include`` cost nothing; every fragment's fields count.
- ``@listSize(requireOneSlicingArgument: true)`` (the default) with slicing arguments: a query
  giving not exactly one of them is refused (``SlicingArgumentError``).

Named fragments are costed once per sizing context, so fragment fan-out costs nothing extra.
Unlike Apollo Router, which costs the query plan, the cost of ``@requires`` selections is not
added: this is the client operation's cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLCompositeType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)
from graphql.language import ast

from router.operation.cost_directives import CostDirectives, ListSize
from router.operation.document import ClientOperation

MUTATION_BASE_COST = 10
_FREE_FIELDS = frozenset({"__typename", "__schema", "__type"})
# The size a parent's @listSize(sizedFields:) gives the named child fields.
_Sizing = tuple[frozenset[str], int | None] | None


class SlicingArgumentError(Exception):
    """A field requiring exactly one slicing argument got none or several."""


class CostEstimator:
    """Estimates operations against one API schema and its supergraph's directives."""

    def __init__(
        self, schema: GraphQLSchema, directives: CostDirectives, default_list_size: int
    ) -> None:
        self._schema = schema
        self._directives = directives
        self._default_list_size = default_list_size

    def estimate(self, operation: ClientOperation, variables: Mapping[str, Any]) -> int:
        """Raises ``SlicingArgumentError``. ``variables``: coerced values (defaults applied)."""
        root = self._schema.get_root_type(operation.operation.operation)
        assert root is not None
        walk = _Walk(self, operation.fragments, variables)
        base = MUTATION_BASE_COST if operation.operation_type == "mutation" else 0
        return base + walk.selections(root, operation.operation.selection_set, None)


class _Walk:
    def __init__(
        self,
        estimator: CostEstimator,
        fragments: Mapping[str, ast.FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = estimator._schema
        self.directives = estimator._directives
        self.default_list_size = estimator._default_list_size
        self.fragments = fragments
        self.variables = dict(variables)
        self.fragment_costs: dict[tuple[str, _Sizing], int] = {}

    def selections(
        self, parent: GraphQLCompositeType, selection_set: ast.SelectionSetNode, sizing: _Sizing
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, ast.FieldNode):
                total += self.field(parent, selection, sizing)
            elif isinstance(selection, ast.FragmentSpreadNode):
                total += self.fragment(selection.name.value, sizing)
            else:
                assert isinstance(selection, ast.InlineFragmentNode)
                narrowed = (
                    self.composite(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selections(narrowed, selection.selection_set, sizing)
        return total

    def fragment(self, name: str, sizing: _Sizing) -> int:
        key = (name, sizing)
        cost = self.fragment_costs.get(key)
        if cost is None:
            definition = self.fragments[name]
            parent = self.composite(definition.type_condition.name.value)
            cost = self.fragment_costs[key] = self.selections(
                parent, definition.selection_set, sizing
            )
        return cost

    def composite(self, name: str) -> GraphQLCompositeType:
        named = self.schema.type_map[name]
        assert is_composite_type(named)
        return named

    def field(self, parent: GraphQLCompositeType, node: ast.FieldNode, sizing: _Sizing) -> int:
        name = node.name.value
        if name in _FREE_FIELDS:
            return 0
        definition = parent.fields[name]  # type: ignore[union-attr]
        named = get_named_type(definition.type)
        list_size = self.directives.list_sizes.get((parent.name, name))
        expected: int | None
        if sizing is not None and sizing[1] is not None and name in sizing[0]:
            expected, child_sizing = sizing[1], None
        elif list_size is not None:
            expected = self.expected_size(parent.name, node, definition.args, list_size)
            child_sizing = (list_size.sized_fields, expected) if list_size.sized_fields else None
        else:
            expected, child_sizing = None, None
        instances = 1
        if _is_list(definition.type):
            instances = expected if expected is not None else self.default_list_size
        type_cost = self.directives.fields.get((parent.name, name))
        if type_cost is None:
            type_cost = self.directives.types.get(named.name, int(is_composite_type(named)))
        if node.selection_set is not None:
            type_cost += self.selections(
                named,
                node.selection_set,
                child_sizing,
            )
        arguments = 0
        for argument in node.arguments or ():
            argument_definition = definition.args.get(argument.name.value)
            if argument_definition is None:
                continue
            weight = self.directives.arguments.get((parent.name, name, argument.name.value))
            arguments += self.argument(argument.value, argument_definition.type, weight)
        return instances * type_cost + arguments

    def expected_size(
        self, type_name: str, node: ast.FieldNode, args: Mapping[str, Any], list_size: ListSize
    ) -> int | None:
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes: list[int] = []
        for name in list_size.slicing_arguments:
            if name in given:
                value = self.value(given[name])
            elif name in args:
                value = _default(args[name])
            else:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                sizes.append(max(value, 0))
        if (
            list_size.require_one_slicing_argument
            and list_size.slicing_arguments
            and len(sizes) != 1
        ):
            names = ", ".join(list_size.slicing_arguments)
            raise SlicingArgumentError(
                f'"{type_name}.{node.name.value}" needs exactly one of its slicing '
                f"arguments ({names}), got {len(sizes)}"
            )
        if sizes:
            return max(sizes)
        return list_size.assumed_size

    def value(self, node: ast.ValueNode) -> Any:
        return value_from_ast_untyped(node, self.variables)

    def argument(
        self, node: ast.ValueNode, input_type: GraphQLInputType, weight: int | None
    ) -> int:
        if isinstance(node, ast.VariableNode):
            return self.input_value(self.variables.get(node.name.value), input_type, weight)
        if isinstance(node, ast.NullValueNode):
            return 0
        named = get_named_type(input_type)
        if isinstance(node, ast.ObjectValueNode) and isinstance(named, GraphQLInputObjectType):
            cost = 1 if weight is None else weight
            for field_node in node.fields:
                input_field = named.fields.get(field_node.name.value)
                if input_field is not None:
                    cost += self.argument(
                        field_node.value,
                        input_field.type,
                        self.directives.fields.get((named.name, field_node.name.value)),
                    )
            return cost
        if isinstance(node, ast.ListValueNode):
            item_type = _item_type(input_type)
            return (weight or 0) + sum(
                self.argument(item, item_type, weight) for item in node.values
            )
        return weight or 0

    def input_value(self, value: Any, input_type: GraphQLInputType, weight: int | None) -> int:
        """The same as ``argument`` for a variable's coerced value."""
        if value is None:
            return 0
        named = get_named_type(input_type)
        if isinstance(value, Mapping) and isinstance(named, GraphQLInputObjectType):
            cost = 1 if weight is None else weight
            for name, item in value.items():
                input_field = named.fields.get(name)
                if input_field is not None:
                    cost += self.input_value(
                        item, input_field.type, self.directives.fields.get((named.name, name))
                    )
            return cost
        if isinstance(value, list | tuple):
            item_type = _item_type(input_type)
            return (weight or 0) + sum(self.input_value(item, item_type, weight) for item in value)
        return weight or 0

    def included(self, node: ast.SelectionNode) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include") or not directive.arguments:
                continue
            condition = self.value(directive.arguments[0].value) is True
            if (name == "skip") == condition:
                return False
        return True


def _is_list(output_type: GraphQLOutputType) -> bool:
    bare = output_type.of_type if isinstance(output_type, GraphQLNonNull) else output_type
    return isinstance(bare, GraphQLList)


def _default(argument: GraphQLArgument) -> Any:
    """The argument's default (graphql-core 3.3 keeps a schema's literal default unconverted)."""
    node = argument.ast_node
    if node is not None and node.default_value is not None:
        return value_from_ast_untyped(node.default_value)
    return argument.default_value


def _item_type(input_type: GraphQLInputType) -> GraphQLInputType:
    bare = input_type.of_type if isinstance(input_type, GraphQLNonNull) else input_type
    return bare.of_type if isinstance(bare, GraphQLList) else bare
