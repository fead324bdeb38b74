"""Per-subgraph checks of the demand-control directives ``@cost`` and ``@listSize``.

The same rules, codes and wording as @apollo/federation-internals: ``@cost`` never on an
interface field; ``@listSize`` on a list (or, with ``sizedFields``, on an object whose sized
fields are lists), a non-negative ``assumedSize``, and ``slicingArguments`` naming ``Int``
arguments of the field.
"""

from __future__ import annotations

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_named_type,
    is_composite_type,
)

from router.composition.results import Diagnostics
from router.composition.subgraph import Subgraph, directive_arguments, directives

Composite = GraphQLObjectType | GraphQLInterfaceType


def validate_demand_control(subgraph: Subgraph, diagnostics: Diagnostics) -> None:
    """Report every misplaced ``@cost`` first, then each ``@listSize`` problem, like Apollo."""
    fields = [
        (named_type, field_name, field)
        for named_type in subgraph.user_types()
        if isinstance(named_type, Composite)
        for field_name, field in named_type.fields.items()
    ]
    for named_type, field_name, field in fields:
        if isinstance(named_type, GraphQLInterfaceType) and directives(field, "cost"):
            _error(
                diagnostics,
                subgraph,
                "COST_APPLIED_TO_INTERFACE_FIELD",
                f'@cost cannot be applied to interface "{named_type.name}.{field_name}"',
                f"{named_type.name}.{field_name}",
            )
    for named_type, field_name, field in fields:
        coordinate = f"{named_type.name}.{field_name}"
        for node in directives(field, "listSize"):
            arguments = directive_arguments(node)
            _check_list_size(subgraph, coordinate, field, arguments, diagnostics)


def _check_list_size(
    subgraph: Subgraph,
    coordinate: str,
    field: GraphQLField,
    arguments: dict[str, object],
    diagnostics: Diagnostics,
) -> None:
    sized_fields = _strings(arguments.get("sizedFields"))
    if not sized_fields and not _is_list(field.type):
        _error(
            diagnostics,
            subgraph,
            "LIST_SIZE_APPLIED_TO_NON_LIST",
            f'"{coordinate}" is not a list',
            coordinate,
        )
    assumed_size = arguments.get("assumedSize")
    if isinstance(assumed_size, int) and assumed_size < 0:
        _error(
            diagnostics,
            subgraph,
            "LIST_SIZE_INVALID_ASSUMED_SIZE",
            f'Assumed size of "{coordinate}" cannot be negative',
            coordinate,
        )
    for name in _strings(arguments.get("slicingArguments")):
        argument = field.args.get(name)
        if argument is None:
            message = f'Slicing argument "{name}" is not an argument of "{coordinate}"'
        elif str(argument.type) not in ("Int", "Int!"):
            message = f'Slicing argument "{coordinate}({name}:)" must be Int or Int!'
        else:
            continue
        _error(diagnostics, subgraph, "LIST_SIZE_INVALID_SLICING_ARGUMENT", message, coordinate)
    if sized_fields:
        _check_sized_fields(subgraph, coordinate, field, sized_fields, diagnostics)


def _check_sized_fields(
    subgraph: Subgraph,
    coordinate: str,
    field: GraphQLField,
    sized_fields: list[str],
    diagnostics: Diagnostics,
) -> None:
    target = get_named_type(field.type)
    if not is_composite_type(target):
        _error(
            diagnostics,
            subgraph,
            "LIST_SIZE_INVALID_SIZED_FIELD",
            f'Sized fields cannot be used because "{field.type}" is not a composite type',
            coordinate,
        )
        return
    for name in sized_fields:
        sized = target.fields.get(name) if isinstance(target, Composite) else None
        if sized is None:
            _error(
                diagnostics,
                subgraph,
                "LIST_SIZE_INVALID_SIZED_FIELD",
                f'Sized field "{name}" is not a field on type "{target.name}"',
                coordinate,
            )
        elif not _is_list(sized.type):
            _error(
                diagnostics,
                subgraph,
                "LIST_SIZE_APPLIED_TO_NON_LIST",
                f'Sized field "{target.name}.{name}" is not a list',
                coordinate,
            )


def _is_list(output_type: GraphQLOutputType) -> bool:
    bare = output_type.of_type if isinstance(output_type, GraphQLNonNull) else output_type
    return isinstance(bare, GraphQLList)


def _strings(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if isinstance(value, str) else []


def _error(
    diagnostics: Diagnostics, subgraph: Subgraph, code: str, message: str, coordinate: str
) -> None:
    diagnostics.error(
        code, f"[{subgraph.name}] {message}", subgraph=subgraph.name, coordinate=coordinate
    )
