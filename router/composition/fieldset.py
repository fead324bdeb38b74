"""Field sets (the ``fields:`` of @key, @requires and @provides): parsing and checking."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    parse,
)
from graphql.language import ast


@dataclass
class FieldSetCheck:
    """Problems found in a field set and the coordinates (``Type.field``) it selects."""

    problems: list[str] = field(default_factory=list)
    selected: list[tuple[str, str]] = field(default_factory=list)
    # For each entry of ``selected``, the coordinates of the fields it is nested in (outermost
    # first): a leaf under an @external field needs no @external of its own.
    ancestors: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    # Top-level field names only: what a @key needs from the subgraph that jumps in.
    top_level: list[str] = field(default_factory=list)


def parse_field_set(fields: str) -> ast.SelectionSetNode:
    """Parse ``"id owner { id }"`` into a selection set (raises GraphQLSyntaxError)."""
    operation = parse("{" + fields + "}", no_location=True).definitions[0]
    assert isinstance(operation, ast.OperationDefinitionNode)
    return operation.selection_set


def check_field_set(schema: GraphQLSchema, type_name: str, fields: str) -> FieldSetCheck:
    check = FieldSetCheck()
    try:
        selection_set = parse_field_set(fields)
    except GraphQLSyntaxError as error:
        check.problems.append(f'"{fields}" is not a valid selection: {error.message}')
        return check
    check.top_level = [
        selection.name.value
        for selection in selection_set.selections
        if isinstance(selection, ast.FieldNode)
    ]
    parent = schema.type_map.get(type_name)
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        _check_selections(schema, parent, selection_set, check, ())
    else:
        check.problems.append(f'type "{type_name}" has no fields to select')
    return check


def _check_selections(
    schema: GraphQLSchema,
    parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
    selection_set: ast.SelectionSetNode,
    check: FieldSetCheck,
    ancestors: tuple[tuple[str, str], ...],
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, ast.InlineFragmentNode):
            condition = (
                schema.type_map.get(selection.type_condition.name.value)
                if selection.type_condition
                else parent
            )
            if not isinstance(
                condition, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
            ):
                check.problems.append(
                    f'unknown type condition "{selection.type_condition.name.value}"'
                    if selection.type_condition
                    else "invalid inline fragment"
                )
                continue
            _check_selections(schema, condition, selection.selection_set, check, ancestors)
            continue
        if not isinstance(selection, ast.FieldNode):
            check.problems.append("named fragments are not allowed in a field set")
            continue
        name = selection.name.value
        if name == "__typename":
            continue
        if isinstance(parent, GraphQLUnionType) or name not in parent.fields:
            check.problems.append(f'cannot query field "{name}" on type "{parent.name}"')
            continue
        check.selected.append((parent.name, name))
        check.ancestors.append(ancestors)
        field_type = get_named_type(parent.fields[name].type)
        if is_leaf_type(field_type):
            if selection.selection_set is not None:
                check.problems.append(
                    f'field "{parent.name}.{name}" is a leaf and cannot have a selection'
                )
        elif selection.selection_set is None:
            check.problems.append(
                f'field "{parent.name}.{name}" of composite type "{field_type.name}" '
                "needs a selection of its subfields"
            )
        else:
            assert isinstance(
                field_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
            )
            nested = (*ancestors, (parent.name, name))
            _check_selections(schema, field_type, selection.selection_set, check, nested)


def parse_context_reference(reference: str) -> tuple[str, str]:
    """``"$ctx { prop }"`` -> (``"ctx"``, ``" { prop }"``)."""
    match = re.match(r"^\s*\$([_A-Za-z][_0-9A-Za-z]*)(.*)$", reference, re.DOTALL)
    return (match[1], match[2]) if match else ("", reference)
