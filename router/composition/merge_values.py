"""Merge enum and input object types, following Apollo's rules.

An enum used only in output positions gets the union of the values, one used only as input the
intersection, and one used both ways must list the same values in every subgraph. Input object
types keep only the fields every subgraph defines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
    is_non_null_type,
    print_ast,
)

from router.composition.applied_directives import AppliedDirectiveRules
from router.composition.element_metadata import (
    any_inaccessible,
    common_description,
    first_deprecation,
    merged_tags,
)
from router.composition.model import EnumValue, Field, MergedType
from router.composition.results import Diagnostics
from router.composition.subgraph import Subgraph
from router.composition.typing_rules import merge_input_types
from router.composition.wording import subgraph_list


@dataclass
class EnumUsage:
    """One example coordinate of input and of output use, per enum name."""

    as_input: dict[str, str] = field(default_factory=dict)
    as_output: dict[str, str] = field(default_factory=dict)


def collect_enum_usage(subgraphs: list[Subgraph]) -> EnumUsage:
    usage = EnumUsage()
    for subgraph in subgraphs:
        for named_type in subgraph.user_types():
            if isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
                for field_name, field_def in named_type.fields.items():
                    coordinate = f"{named_type.name}.{field_name}"
                    usage.as_output.setdefault(get_named_type(field_def.type).name, coordinate)
                    for argument_name, argument in field_def.args.items():
                        usage.as_input.setdefault(
                            get_named_type(argument.type).name,
                            f"{coordinate}({argument_name}:)",
                        )
            elif isinstance(named_type, GraphQLInputObjectType):
                for field_name, input_field in named_type.fields.items():
                    usage.as_input.setdefault(
                        get_named_type(input_field.type).name, f"{named_type.name}.{field_name}"
                    )
    return usage


def merge_enum(
    merged: MergedType,
    definitions: list[tuple[Subgraph, GraphQLEnumType]],
    usage: EnumUsage,
    rules: AppliedDirectiveRules,
    diagnostics: Diagnostics,
) -> None:
    names: list[str] = []
    for _, enum in definitions:
        names.extend(name for name in enum.values if name not in names)
    input_use, output_use = usage.as_input.get(merged.name), usage.as_output.get(merged.name)
    for name in names:
        present = [(s, enum.values[name]) for s, enum in definitions if name in enum.values]
        missing = [s.name for s, enum in definitions if name not in enum.values]
        if missing and input_use and output_use:
            diagnostics.error(
                "ENUM_VALUE_MISMATCH",
                f'Enum type "{merged.name}" is used as both input type (for example, as type of '
                f'"{input_use}") and output type (for example, as type of "{output_use}"), but '
                f'value "{name}" is not defined in all the subgraphs defining "{merged.name}": '
                f'"{name}" is defined in {subgraph_list([s.name for s, _ in present])} but not '
                f"in {subgraph_list(missing)}. Define the value in every subgraph.",
                subgraph=missing[0],
                coordinate=f"{merged.name}.{name}",
            )
            continue
        if missing and input_use:
            diagnostics.hint(
                "INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM",
                f'Value "{name}" of enum type "{merged.name}" is only used as input (for example '
                f'in "{input_use}") and is missing from {subgraph_list(missing)}: it is removed '
                "from the supergraph.",
                coordinate=f"{merged.name}.{name}",
            )
            continue
        values = [value for _, value in present]
        merged.values[name] = EnumValue(
            name=name,
            graphs=[s.name for s, _ in present],
            description=common_description(values),
            deprecation_reason=first_deprecation(values),
            inaccessible=any_inaccessible(values),
            tags=merged_tags(values),
            carried=rules.merge(
                values, coordinate=f"{merged.name}.{name}", graphs=[s.name for s, _ in present]
            ),
        )
    if not merged.values:
        diagnostics.error(
            "EMPTY_MERGED_ENUM_TYPE",
            f'None of the values of enum type "{merged.name}" are defined consistently in all the '
            f"subgraphs defining that type ({subgraph_list([s.name for s, _ in definitions])}); "
            "as it is only used as input, the merged enum would be empty.",
            coordinate=merged.name,
        )


def merge_input_object(
    merged: MergedType,
    definitions: list[tuple[Subgraph, GraphQLInputObjectType]],
    rules: AppliedDirectiveRules,
    diagnostics: Diagnostics,
) -> None:
    names: list[str] = []
    for _, input_type in definitions:
        names.extend(name for name in input_type.fields if name not in names)
    for name in names:
        coordinate = f"{merged.name}.{name}"
        present = [(s, t.fields[name]) for s, t in definitions if name in t.fields]
        missing = [s.name for s, t in definitions if name not in t.fields]
        if missing:
            required = [
                s.name
                for s, input_field in present
                if is_non_null_type(input_field.type)
                and input_field.ast_node
                and input_field.ast_node.default_value is None
            ]
            if required:
                diagnostics.error(
                    "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                    f'Input object field "{coordinate}" is required in {subgraph_list(required)} '
                    f"but does not appear in {subgraph_list(missing)}. Add it everywhere or "
                    "make it optional.",
                    subgraph=required[0],
                    coordinate=coordinate,
                )
            else:
                diagnostics.hint(
                    "INCONSISTENT_INPUT_OBJECT_FIELD",
                    f'Input object field "{coordinate}" is missing from '
                    f"{subgraph_list(missing)}: it is removed from the supergraph.",
                    coordinate=coordinate,
                )
            continue
        fields = [input_field for _, input_field in present]
        merged_type = merge_input_types([input_field.type for input_field in fields])
        if merged_type is None:
            described = " and ".join(f'type "{f.type}" in subgraph "{s.name}"' for s, f in present)
            diagnostics.error(
                "FIELD_TYPE_MISMATCH",
                f'Type of input field "{coordinate}" is incompatible across subgraphs: it has '
                f"{described}. Use the same type everywhere (nullability may differ).",
                subgraph=present[0][0].name,
                coordinate=coordinate,
            )
            continue
        defaults = {
            print_ast(f.ast_node.default_value): f.ast_node.default_value
            for f in fields
            if f.ast_node is not None and f.ast_node.default_value is not None
        }
        if len(defaults) > 1:
            diagnostics.error(
                "INPUT_FIELD_DEFAULT_MISMATCH",
                f'Input field "{coordinate}" has incompatible default values across subgraphs '
                f"({', '.join(defaults)}). Use the same default everywhere.",
                coordinate=coordinate,
            )
        merged.fields[name] = Field(
            name=name,
            type=merged_type,
            description=common_description(fields),
            deprecation_reason=first_deprecation(fields),
            default=next(iter(defaults.values()))
            if len(defaults) == 1
            and all(f.ast_node is not None and f.ast_node.default_value is not None for f in fields)
            else None,
            inaccessible=any_inaccessible(fields),
            tags=merged_tags(fields),
            carried=rules.merge(fields, coordinate=coordinate, graphs=[s.name for s, _ in present]),
        )
