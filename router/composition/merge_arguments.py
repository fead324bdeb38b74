"""Merge the arguments of one field across the subgraphs that define it (an intersection)."""

from __future__ import annotations

from graphql import GraphQLArgument, GraphQLField, is_non_null_type, print_ast

from router.composition.applied_directives import AppliedDirectiveRules
from router.composition.element_metadata import (
    any_inaccessible,
    common_description,
    first_deprecation,
    merged_tags,
)
from router.composition.model import Argument
from router.composition.results import Diagnostics
from router.composition.subgraph import Subgraph, has_directive
from router.composition.typing_rules import merge_input_types
from router.composition.wording import subgraph_list


def merge_field_arguments(
    coordinate: str,
    origins: list[tuple[Subgraph, GraphQLField]],
    rules: AppliedDirectiveRules,
    diagnostics: Diagnostics,
) -> dict[str, Argument]:
    client_arguments = [(subgraph, _client_arguments(field)) for subgraph, field in origins]
    names: list[str] = []
    for _, arguments in client_arguments:
        names.extend(name for name in arguments if name not in names)
    merged: dict[str, Argument] = {}
    for name in names:
        present = [(s, arguments[name]) for s, arguments in client_arguments if name in arguments]
        missing = [s.name for s, arguments in client_arguments if name not in arguments]
        if missing:
            _report_partial_argument(f"{coordinate}({name}:)", present, missing, diagnostics)
            continue
        argument = _merge_argument(f"{coordinate}({name}:)", name, present, rules, diagnostics)
        if argument is not None:
            merged[name] = argument
    return merged


def _client_arguments(field: GraphQLField) -> dict[str, GraphQLArgument]:
    """Arguments clients send: those filled from a @context are the router's business."""
    return {
        name: argument
        for name, argument in field.args.items()
        if not has_directive(argument, "fromContext")
    }


def _report_partial_argument(
    coordinate: str,
    present: list[tuple[Subgraph, GraphQLArgument]],
    missing: list[str],
    diagnostics: Diagnostics,
) -> None:
    where = subgraph_list([subgraph.name for subgraph, _ in present])
    required = [
        subgraph.name
        for subgraph, argument in present
        if is_non_null_type(argument.type)
        and argument.ast_node
        and argument.ast_node.default_value is None
    ]
    if required:
        diagnostics.error(
            "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
            f'Argument "{coordinate}" is required in {subgraph_list(required)} but does not '
            f"appear in {subgraph_list(missing)}. Add the argument to every subgraph defining "
            "the field, or make it optional.",
            subgraph=required[0],
            coordinate=coordinate,
        )
        return
    diagnostics.hint(
        "INCONSISTENT_ARGUMENT_PRESENCE",
        f'Optional argument "{coordinate}" is defined in {where} but not in '
        f"{subgraph_list(missing)}: it is removed from the supergraph.",
        coordinate=coordinate,
    )


def _merge_argument(
    coordinate: str,
    name: str,
    present: list[tuple[Subgraph, GraphQLArgument]],
    rules: AppliedDirectiveRules,
    diagnostics: Diagnostics,
) -> Argument | None:
    arguments = [argument for _, argument in present]
    merged_type = merge_input_types([argument.type for argument in arguments])
    if merged_type is None:
        described = " and ".join(
            f'type "{argument.type}" in subgraph "{subgraph.name}"'
            for subgraph, argument in present
        )
        diagnostics.error(
            "FIELD_ARGUMENT_TYPE_MISMATCH",
            f'Type of argument "{coordinate}" is incompatible across subgraphs: it has '
            f"{described}. Use the same type (nullability may differ) in every subgraph.",
            subgraph=present[0][0].name,
            coordinate=coordinate,
        )
        return None
    defaults = {
        subgraph.name: argument.ast_node.default_value
        for subgraph, argument in present
        if argument.ast_node is not None and argument.ast_node.default_value is not None
    }
    printed_defaults = {print_ast(value) for value in defaults.values()}
    default = None
    if len(printed_defaults) > 1:
        described = " and ".join(
            f'"{print_ast(value)}" in subgraph "{graph}"' for graph, value in defaults.items()
        )
        diagnostics.error(
            "FIELD_ARGUMENT_DEFAULT_MISMATCH",
            f'Argument "{coordinate}" has incompatible default values across subgraphs: it has '
            f"default value {described}. Use the same default everywhere.",
            subgraph=present[0][0].name,
            coordinate=coordinate,
        )
    elif defaults and len(defaults) == len(present):
        default = next(iter(defaults.values()))
    elif defaults:
        diagnostics.hint(
            "INCONSISTENT_DEFAULT_VALUE_PRESENCE",
            f'Argument "{coordinate}" has a default value in {subgraph_list(list(defaults))} '
            "but not in the other subgraphs defining it: the default is removed.",
            coordinate=coordinate,
        )
    return Argument(
        name=name,
        type=merged_type,
        default=default,
        description=common_description(arguments),
        deprecation_reason=first_deprecation(arguments),
        inaccessible=any_inaccessible(arguments),
        tags=merged_tags(arguments),
        carried=rules.merge(
            arguments, coordinate=coordinate, graphs=[subgraph.name for subgraph, _ in present]
        ),
    )
