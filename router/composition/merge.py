"""Merge validated subgraphs into the supergraph model, reporting every merge conflict."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from router.composition.applied_directives import AppliedDirectiveRules
from router.composition.carried_directives import supergraph_names
from router.composition.composed_directives import compose_directives
from router.composition.element_metadata import (
    any_inaccessible,
    common_description,
    merged_tags,
)
from router.composition.fieldset import check_field_set
from router.composition.merge_types import (
    kind_of,
    merge_composite_fields,
    merge_implementations,
    merge_scalar,
    merge_union_members,
    type_contexts,
    type_source,
)
from router.composition.merge_values import collect_enum_usage, merge_enum, merge_input_object
from router.composition.model import FieldSource, MergedType, Supergraph, TypeSource
from router.composition.results import Diagnostics
from router.composition.subgraph import Subgraph, directive_arguments, directives
from router.composition.typing_rules import IsSubtype
from router.composition.validate_subgraph import key_field_coordinates
from router.composition.wording import subgraph_list

Definitions = list[tuple[Subgraph, GraphQLNamedType]]


def merge_subgraphs(subgraphs: list[Subgraph], diagnostics: Diagnostics) -> Supergraph:
    definitions = _definitions_by_type(subgraphs, diagnostics)
    is_subtype = _subtype_relation(subgraphs)
    enum_usage = collect_enum_usage(subgraphs)
    key_fields = {subgraph.name: key_field_coordinates(subgraph) for subgraph in subgraphs}
    composed = compose_directives(subgraphs, diagnostics)
    carried_names = supergraph_names(subgraphs, diagnostics)
    rules = AppliedDirectiveRules(
        _shared_local_name(subgraphs, "tag"), composed.repeatable, carried_names, diagnostics
    )
    types: dict[str, MergedType] = {}
    for name, defined in definitions.items():
        merged = MergedType(name=name, kind=kind_of(defined[0][1]))
        elements = [named_type for _, named_type in defined]
        merged.description = common_description(elements)
        merged.tags = merged_tags(elements)
        merged.inaccessible = any_inaccessible(elements)
        merged.carried = rules.merge(
            elements, coordinate=name, graphs=[subgraph.name for subgraph, _ in defined]
        )
        for subgraph, named_type in defined:
            merged.sources[subgraph.name] = type_source(subgraph, named_type)
            merged.contexts += type_contexts(subgraph, named_type)
        if merged.kind in ("object", "interface"):
            composite = [
                (s, t)
                for s, t in defined
                if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
            ]
            merge_composite_fields(merged, composite, is_subtype, key_fields, rules, diagnostics)
            merge_implementations(merged, composite)
        elif merged.kind == "union":
            merge_union_members(
                merged, [(s, t) for s, t in defined if isinstance(t, GraphQLUnionType)]
            )
        elif merged.kind == "enum":
            enums = [(s, t) for s, t in defined if isinstance(t, GraphQLEnumType)]
            merge_enum(merged, enums, enum_usage, rules, diagnostics)
        elif merged.kind == "input":
            inputs = [(s, t) for s, t in defined if isinstance(t, GraphQLInputObjectType)]
            merge_input_object(merged, inputs, rules, diagnostics)
        else:
            merge_scalar(merged, [(s, t) for s, t in defined if isinstance(t, GraphQLScalarType)])
        types[name] = merged
    if "Query" in types:
        # Every subgraph serves a Query type (at least _service), so each gets a join__type.
        query_sources = types["Query"].sources
        types["Query"].sources = {
            s.name: query_sources.get(s.name, TypeSource(graph=s.name)) for s in subgraphs
        }
    _resolve_overrides(types, subgraphs, diagnostics)
    _drop_federation1_extension_flags(types, subgraphs)
    _copy_interface_object_fields(types)
    if not any(types.get("Query", MergedType("Query", "object")).fields.values()):
        diagnostics.error(
            "NO_QUERIES",
            "No queries found in any subgraph: a supergraph must have a query root type. "
            "Add at least one field to a Query type in one of the subgraphs.",
        )
    return Supergraph(
        graphs=[(subgraph.name, subgraph.url) for subgraph in subgraphs],
        types=types,
        federation_version=max(s.federation_version for s in subgraphs),
        tag_directive_name=_shared_local_name(subgraphs, "tag"),
        inaccessible_directive_name=_shared_local_name(subgraphs, "inaccessible"),
        composed_definitions=composed.definitions,
        composed_links=composed.links,
        carried_names=carried_names,
    )


def _definitions_by_type(
    subgraphs: list[Subgraph], diagnostics: Diagnostics
) -> dict[str, Definitions]:
    definitions: dict[str, Definitions] = {}
    for subgraph in subgraphs:
        for named_type in subgraph.user_types():
            definitions.setdefault(named_type.name, []).append((subgraph, named_type))
    for name, defined in definitions.items():
        kinds: dict[str, list[str]] = {}
        for subgraph, named_type in defined:
            kinds.setdefault(kind_of(named_type), []).append(subgraph.name)
        if len(kinds) > 1:
            described = " and ".join(
                f"{_article(kind)} {kind} type in {subgraph_list(graphs)}"
                for kind, graphs in kinds.items()
            )
            diagnostics.error(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as {described}. '
                "Give the type the same kind in every subgraph, or rename one of them.",
                subgraph=defined[0][0].name,
                coordinate=name,
            )
            first_kind = kind_of(defined[0][1])
            definitions[name] = [(s, t) for s, t in defined if kind_of(t) == first_kind]
    return definitions


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _subtype_relation(subgraphs: list[Subgraph]) -> IsSubtype:
    supertypes: dict[str, set[str]] = {}
    for subgraph in subgraphs:
        for named_type in subgraph.user_types():
            if isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
                for interface in named_type.interfaces:
                    supertypes.setdefault(named_type.name, set()).add(interface.name)
            elif isinstance(named_type, GraphQLUnionType):
                for member in named_type.types:
                    supertypes.setdefault(member.name, set()).add(named_type.name)

    def is_subtype(candidate: str, supertype: str) -> bool:
        return supertype in supertypes.get(candidate, set())

    return is_subtype


def _resolve_overrides(
    types: dict[str, MergedType], subgraphs: list[Subgraph], diagnostics: Diagnostics
) -> None:
    """Drop overridden definitions, or flag them ``usedOverridden`` when their subgraph still
    needs the field for its own keys or requirements."""
    names = {subgraph.name for subgraph in subgraphs}
    used_by_field_sets = {
        subgraph.name: _fields_used_by_field_sets(subgraph) for subgraph in subgraphs
    }
    for merged in types.values():
        for field in merged.fields.values():
            for source in list(field.sources.values()):
                if source.override is None:
                    continue
                coordinate = f"{merged.name}.{field.name}"
                origin = source.override
                collision = _override_collision(source, field.sources.get(origin))
                if collision is not None:
                    colliding_graph, directive = collision
                    diagnostics.error(
                        "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                        f'@override cannot be used on field "{coordinate}" on subgraph '
                        f'"{source.graph}" since "{coordinate}" on "{colliding_graph}" is marked '
                        f'with directive "@{directive}". Remove one of the two directives.',
                        subgraph=source.graph,
                        coordinate=coordinate,
                    )
                elif origin == source.graph:
                    diagnostics.error(
                        "OVERRIDE_FROM_SELF_ERROR",
                        f'Source and destination subgraphs "{origin}" are the same for overridden '
                        f'field "{coordinate}". Name the subgraph the field moves away from.',
                        subgraph=source.graph,
                        coordinate=coordinate,
                    )
                elif origin not in names:
                    diagnostics.hint(
                        "FROM_SUBGRAPH_DOES_NOT_EXIST",
                        f'Source subgraph "{origin}" for field "{coordinate}" on subgraph '
                        f'"{source.graph}" does not exist.',
                        subgraph=source.graph,
                        coordinate=coordinate,
                    )
                elif origin in field.sources:
                    if source.override_label is not None:
                        # Progressive override: both subgraphs keep serving a share of traffic.
                        field.sources[origin].override_label = source.override_label
                    elif (merged.name, field.name) in used_by_field_sets[origin]:
                        field.sources[origin].used_overridden = True
                    else:
                        del field.sources[origin]


def _override_collision(
    overriding: FieldSource, overridden: FieldSource | None
) -> tuple[str, str] | None:
    """(subgraph, directive) that forbids the @override, as Apollo checks it."""
    if overriding.external:
        return overriding.graph, "external"
    if overridden is not None and overridden.requires is not None:
        return overridden.graph, "requires"
    if overridden is not None and overridden.provides is not None:
        return overridden.graph, "provides"
    return None


def _drop_federation1_extension_flags(
    types: dict[str, MergedType], subgraphs: list[Subgraph]
) -> None:
    """Federation 1 had to `extend` types owned elsewhere; like Apollo's schema upgrader, an
    `extend type` stays an extension only when no subgraph defines the type (@extends stays)."""
    federation1 = {subgraph.name: subgraph for subgraph in subgraphs if subgraph.is_federation1}
    for merged in types.values():
        if any(not source.extension for source in merged.sources.values()):
            for graph, source in merged.sources.items():
                if graph in federation1 and merged.name not in federation1[graph].extends_types:
                    if source.extension:
                        source.keys = [replace(key, extension=False) for key in source.keys]
                    source.extension = False


def _fields_used_by_field_sets(subgraph: Subgraph) -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for named_type in subgraph.user_types():
        if not isinstance(named_type, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for key in directives(named_type, "key"):
            fields = str(directive_arguments(key).get("fields", ""))
            used.update(check_field_set(subgraph.schema, named_type.name, fields).selected)
        for field in named_type.fields.values():
            for requires in directives(field, "requires"):
                fields = str(directive_arguments(requires).get("fields", ""))
                used.update(check_field_set(subgraph.schema, named_type.name, fields).selected)
    return used


def _copy_interface_object_fields(types: dict[str, MergedType]) -> None:
    """Fields an @interfaceObject adds to an interface also appear on every implementation."""
    for interface in types.values():
        object_graphs = {g for g, s in interface.sources.items() if s.is_interface_object}
        if interface.kind != "interface" or not object_graphs:
            continue
        for implementation in types.values():
            if implementation.kind != "object" or interface.name not in implementation.implements:
                continue
            for field in interface.fields.values():
                if field.name in implementation.fields or not object_graphs & set(field.sources):
                    continue
                copied = deepcopy(field)
                copied.sources = {}
                copied.from_interface_object = True
                implementation.fields[field.name] = copied


def _shared_local_name(subgraphs: list[Subgraph], directive: str) -> str:
    for subgraph in subgraphs:
        if directive in subgraph.local_directive_names:
            return subgraph.local_directive_names[directive]
    return directive
