"""Merge object, interface, union and scalar types, their fields and their join metadata."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from router.composition.applied_directives import AppliedDirectiveRules
from router.composition.element_metadata import (
    any_inaccessible,
    common_description,
    first_deprecation,
    merged_tags,
)
from router.composition.federation_spec import namespaced
from router.composition.fieldset import parse_context_reference
from router.composition.merge_arguments import merge_field_arguments
from router.composition.model import (
    ContextArgument,
    Field,
    FieldSource,
    Key,
    MergedType,
    TypeKind,
    TypeSource,
)
from router.composition.results import Diagnostics
from router.composition.subgraph import (
    Subgraph,
    directive_arguments,
    directives,
    has_directive,
    is_field_shareable,
)
from router.composition.typing_rules import IsSubtype, merge_output_types
from router.composition.wording import subgraph_list


def kind_of(named_type: GraphQLNamedType) -> TypeKind:
    if isinstance(named_type, GraphQLObjectType):
        return "interface" if has_directive(named_type, "interfaceObject") else "object"
    if isinstance(named_type, GraphQLInterfaceType):
        return "interface"
    if isinstance(named_type, GraphQLUnionType):
        return "union"
    if isinstance(named_type, GraphQLScalarType):
        return "scalar"
    return "enum" if isinstance(named_type, GraphQLEnumType) else "input"


def type_source(subgraph: Subgraph, named_type: GraphQLNamedType) -> TypeSource:
    extension = named_type.name in subgraph.extension_types
    key_name = namespaced("key")
    keys = [
        Key(
            fields=str(arguments.get("fields", "")),
            resolvable=arguments.get("resolvable") is not False,
            # A definition of an extension-only type was an extension (or says @extends).
            extension=extension or node is not named_type.ast_node,
        )
        for node in [named_type.ast_node, *(named_type.extension_ast_nodes or ())]
        if node is not None
        for arguments in map(
            directive_arguments, (d for d in node.directives or () if d.name.value == key_name)
        )
    ]
    return TypeSource(
        graph=subgraph.name,
        keys=keys,
        extension=extension,
        is_interface_object=has_directive(named_type, "interfaceObject"),
    )


def merge_composite_fields(
    merged: MergedType,
    definitions: list[tuple[Subgraph, GraphQLObjectType | GraphQLInterfaceType]],
    is_subtype: IsSubtype,
    key_fields: dict[str, set[tuple[str, str]]],
    rules: AppliedDirectiveRules,
    diagnostics: Diagnostics,
) -> None:
    """Fields of an object or interface type, in order of first appearance.

    ``key_fields`` holds, per subgraph, the ``(Type, field)`` its keys select.
    """
    by_name: dict[str, list[tuple[Subgraph, GraphQLField]]] = {}
    for subgraph, owner in definitions:
        for name, field in owner.fields.items():
            by_name.setdefault(name, []).append((subgraph, field))
            if name not in merged.fields:
                merged.fields[name] = Field(name=name, type=str(field.type))
            in_key = (owner.name, name) in key_fields[subgraph.name]
            merged.fields[name].sources[subgraph.name] = _field_source(
                subgraph, owner, field, in_key=in_key
            )
    for name, origins in by_name.items():
        field_model = merged.fields[name]
        elements = [field for _, field in origins]
        field_model.description = common_description(elements)
        field_model.deprecation_reason = first_deprecation(elements)
        field_model.tags = merged_tags(elements)
        field_model.inaccessible = any_inaccessible(elements)
        field_model.carried = rules.merge(
            elements,
            authorization_first=True,
            coordinate=f"{merged.name}.{name}",
            graphs=[subgraph.name for subgraph, _ in origins],
        )
        sources = field_model.sources
        resolving = [f for s, f in origins if not sources[s.name].external] or elements
        merged_type = merge_output_types([field.type for field in resolving], is_subtype)
        external_types = {str(f.type) for s, f in origins if sources[s.name].external}
        if merged_type is None:
            _report_type_mismatch("FIELD_TYPE_MISMATCH", merged.name, name, origins, diagnostics)
            merged_type = str(resolving[0].type)  # what Apollo compares @external against then
        else:
            field_model.type = merged_type
        # Like Apollo, an @external declaration must repeat the merged type exactly.
        if external_types - {merged_type}:
            _report_type_mismatch("EXTERNAL_TYPE_MISMATCH", merged.name, name, origins, diagnostics)
        field_model.arguments = merge_field_arguments(
            f"{merged.name}.{name}", origins, rules, diagnostics
        )


def _field_source(
    subgraph: Subgraph,
    owner: GraphQLObjectType | GraphQLInterfaceType,
    field: GraphQLField,
    *,
    in_key: bool,
) -> FieldSource:
    external = has_directive(field, "external") or has_directive(owner, "external")
    source = FieldSource(
        graph=subgraph.name,
        type=str(field.type),
        # Federation 1 marked the key fields of type extensions @external; they are not.
        external=external and not (subgraph.is_federation1 and in_key),
        shareable=in_key or subgraph.is_federation1 or is_field_shareable(owner, field),
    )
    for node in directives(field, "requires"):
        source.requires = str(directive_arguments(node).get("fields", ""))
    for node in directives(field, "provides"):
        source.provides = str(directive_arguments(node).get("fields", ""))
    for argument_name, argument in field.args.items():
        for node in directives(argument, "fromContext"):
            context, selection = parse_context_reference(
                str(directive_arguments(node).get("field", ""))
            )
            source.context_arguments.append(
                ContextArgument(
                    name=argument_name,
                    type=str(argument.type),
                    context=f"{subgraph.name}__{context}",
                    selection=selection,
                )
            )
    for node in directives(field, "override"):
        arguments = directive_arguments(node)
        source.override = str(arguments.get("from", ""))
        label = arguments.get("label")
        source.override_label = str(label) if label is not None else None
    return source


def _report_type_mismatch(
    code: str,
    type_name: str,
    field_name: str,
    origins: list[tuple[Subgraph, GraphQLField]],
    diagnostics: Diagnostics,
) -> None:
    by_type: dict[str, list[str]] = {}
    for subgraph, field in origins:
        by_type.setdefault(str(field.type), []).append(subgraph.name)
    first, *others = [
        f'type "{printed}" in {subgraph_list(graphs)}' for printed, graphs in by_type.items()
    ]
    if code == "EXTERNAL_TYPE_MISMATCH":
        where = " (where marked @external)"
        fix = "Declare the @external field with exactly the type of its definition."
    else:
        where = ""
        fix = "Give the field the same type everywhere (nullability may differ)."
    diagnostics.error(
        code,
        f'Type of field "{type_name}.{field_name}" is incompatible across subgraphs{where}: it '
        f"has {first} but {' and '.join(others)}. {fix}",
        subgraph=origins[0][0].name,
        coordinate=f"{type_name}.{field_name}",
    )


def type_contexts(subgraph: Subgraph, named_type: GraphQLNamedType) -> list[str]:
    """The supergraph names of the contexts a subgraph sets on a type."""
    return [
        f"{subgraph.name}__{directive_arguments(node).get('name', '')}"
        for node in directives(named_type, "context")
    ]


def merge_union_members(
    merged: MergedType, definitions: list[tuple[Subgraph, GraphQLUnionType]]
) -> None:
    for subgraph, union in definitions:
        for member in union.types:
            merged.members.setdefault(member.name, []).append(subgraph.name)


def merge_implementations(
    merged: MergedType,
    definitions: list[tuple[Subgraph, GraphQLObjectType | GraphQLInterfaceType]],
) -> None:
    for subgraph, owner in definitions:
        for interface in owner.interfaces:
            merged.implements.setdefault(interface.name, []).append(subgraph.name)


def merge_scalar(merged: MergedType, definitions: list[tuple[Subgraph, GraphQLScalarType]]) -> None:
    for _, scalar in definitions:
        if scalar.specified_by_url:
            merged.specified_by_url = scalar.specified_by_url
            return
