"""Read the ``@join__*`` directives of a supergraph document into the type model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import value_from_ast_untyped
from graphql.language import ast

from router.errors import SupergraphError
from router.supergraph.fieldset import parse_field_set
from router.supergraph.links import LinkedSpec
from router.supergraph.model import (
    ContextArgument,
    EntityKey,
    FieldInGraph,
    FieldModel,
    SubgraphEndpoint,
    TypeModel,
)

_Composite = ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode


def _arguments(directive: ast.DirectiveNode) -> dict[str, Any]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _directives(node: ast.Node, name: str) -> list[dict[str, Any]]:
    return [
        _arguments(directive)
        for directive in getattr(node, "directives", None) or ()
        if directive.name.value == name
    ]


def read_graphs(
    document: ast.DocumentNode, join: LinkedSpec, subgraph_urls: Mapping[str, str]
) -> tuple[dict[str, SubgraphEndpoint], dict[str, str]]:
    """The join__Graph enum: subgraphs keyed by name, and enum value -> name."""
    enum_name = f"{join.prefix}__Graph"
    graph_directive = join.directive_name("graph")
    for definition in document.definitions:
        if (
            isinstance(definition, ast.EnumTypeDefinitionNode)
            and definition.name.value == enum_name
        ):
            subgraphs: dict[str, SubgraphEndpoint] = {}
            by_enum: dict[str, str] = {}
            for value in definition.values or ():
                found = _directives(value, graph_directive)
                if not found:
                    raise SupergraphError(
                        f"{enum_name}.{value.name.value} has no @{graph_directive}"
                    )
                name = str(found[0]["name"])
                url = subgraph_urls.get(name, str(found[0].get("url") or ""))
                subgraphs[name] = SubgraphEndpoint(name, value.name.value, url)
                by_enum[value.name.value] = name
            return subgraphs, by_enum
    raise SupergraphError(f"the supergraph has no {enum_name} enum")


def _contexts(node: ast.Node, context_directive: str | None, join_directive: str) -> frozenset[str]:
    """``@context(name:)`` on a type, or its ``@join__directive(name: "context")`` form."""
    names = {
        str(arguments["name"])
        for arguments in (_directives(node, context_directive) if context_directive else [])
        if arguments.get("name")
    }
    for arguments in _directives(node, join_directive):
        args = arguments.get("args")
        if arguments.get("name") == "context" and isinstance(args, dict) and args.get("name"):
            names.add(str(args["name"]))
    return frozenset(names)


def read_types(
    document: ast.DocumentNode,
    join: LinkedSpec,
    graph_by_enum: Mapping[str, str],
    context_directive: str | None = None,
) -> dict[str, TypeModel]:
    type_directive = join.directive_name("type")
    field_directive = join.directive_name("field")
    implements_directive = join.directive_name("implements")
    member_directive = join.directive_name("unionMember")

    def graph_of(arguments: Mapping[str, Any], where: str) -> str:
        enum_value = arguments.get("graph")
        if enum_value not in graph_by_enum:
            raise SupergraphError(f"{where} names unknown graph {enum_value!r}")
        return graph_by_enum[str(enum_value)]

    variables = _context_variables(
        document, field_directive, graph_of, list(graph_by_enum.values())
    )
    types: dict[str, TypeModel] = {}
    for definition in document.definitions:
        if isinstance(definition, _Composite | ast.UnionTypeDefinitionNode):
            name = definition.name.value
            graphs: list[str] = []
            keys: list[EntityKey] = []
            interface_objects: set[str] = set()
            for arguments in _directives(definition, type_directive):
                graph = graph_of(arguments, name)
                if graph not in graphs:
                    graphs.append(graph)
                if arguments.get("key"):
                    fields = str(arguments["key"])
                    keys.append(
                        EntityKey(
                            graph,
                            fields,
                            parse_field_set(fields),
                            bool(arguments.get("resolvable", True)),
                        )
                    )
                if arguments.get("isInterfaceObject"):
                    interface_objects.add(graph)
            links: dict[str, set[str]] = {graph: set() for graph in graphs}
            link_directive, link_argument = (
                (member_directive, "member")
                if isinstance(definition, ast.UnionTypeDefinitionNode)
                else (implements_directive, "interface")
            )
            for arguments in _directives(definition, link_directive):
                links.setdefault(graph_of(arguments, name), set()).add(
                    str(arguments[link_argument])
                )
            fields_model: dict[str, FieldModel] = {}
            if isinstance(definition, _Composite):
                for field in definition.fields or ():
                    fields_model[field.name.value] = _read_field(
                        field, field_directive, graph_of, f"{name}.{field.name.value}", variables
                    )
            kind = {
                ast.ObjectTypeDefinitionNode: "object",
                ast.InterfaceTypeDefinitionNode: "interface",
                ast.UnionTypeDefinitionNode: "union",
            }[type(definition)]
            types[name] = TypeModel(
                name=name,
                kind=kind,
                graphs=frozenset(graphs),
                keys=tuple(keys),
                interface_object_graphs=frozenset(interface_objects),
                fields=fields_model,
                abstract_links={graph: frozenset(value) for graph, value in links.items()},
                contexts=_contexts(definition, context_directive, join.directive_name("directive")),
            )
    return types


def _context_variables(
    document: ast.DocumentNode, field_directive: str, graph_of: Any, graphs: list[str]
) -> dict[tuple[str, str], str]:
    """The variable of every ``contextArguments`` entry, by (subgraph, argument coordinate):
    ``contextualArgument_<g>_<i>`` as Apollo's query graph names them, ``g`` the subgraph's
    number (1-based, join__Graph order) and ``i`` the index of ``Type.field(argument:)`` among
    the subgraph's contextual arguments sorted by that coordinate."""
    numbers = {graph: number for number, graph in enumerate(graphs, 1)}
    coordinates: dict[str, list[str]] = {}
    for definition in document.definitions:
        if not isinstance(definition, _Composite):
            continue
        for field in definition.fields or ():
            where = f"{definition.name.value}.{field.name.value}"
            for arguments in _directives(field, field_directive):
                if arguments.get("graph") is None:
                    continue
                graph = graph_of(arguments, where)
                for argument in arguments.get("contextArguments") or ():
                    if isinstance(argument, dict) and argument.get("name"):
                        coordinates.setdefault(graph, []).append(f"{where}({argument['name']}:)")
    return {
        (graph, coordinate): f"contextualArgument_{numbers[graph]}_{index}"
        for graph, found in coordinates.items()
        for index, coordinate in enumerate(sorted(found))
    }


def _context_argument(
    argument: Mapping[str, Any],
    graph: str,
    variables: Mapping[tuple[str, str], str],
    where: str,
) -> ContextArgument:
    selection = str(argument.get("selection") or "").strip()
    if selection.startswith("{") and selection.endswith("}"):
        selection = selection[1:-1]
    if not selection.strip() or not argument.get("context") or not argument.get("name"):
        raise SupergraphError(f"{where} has an incomplete contextArguments entry")
    return ContextArgument(
        name=str(argument["name"]),
        type=str(argument.get("type") or ""),
        context=str(argument["context"]),
        selection=parse_field_set(selection),
        variable=variables[(graph, f"{where}({argument['name']}:)")],
    )


def _read_field(
    field: ast.FieldDefinitionNode,
    directive_name: str,
    graph_of: Any,
    where: str,
    variables: Mapping[tuple[str, str], str],
) -> FieldModel:
    in_graphs: dict[str, FieldInGraph] = {}
    directives = _directives(field, directive_name)
    for arguments in directives:
        if arguments.get("graph") is None:
            continue
        graph = graph_of(arguments, where)
        requires = arguments.get("requires")
        provides = arguments.get("provides")
        in_graphs[graph] = FieldInGraph(
            graph=graph,
            requires=parse_field_set(str(requires)) if requires else None,
            provides=parse_field_set(str(provides)) if provides else None,
            type=arguments.get("type"),
            external=bool(arguments.get("external")),
            override=arguments.get("override"),
            used_overridden=bool(arguments.get("usedOverridden")),
            override_label=arguments.get("overrideLabel"),
            context_arguments=tuple(
                _context_argument(argument, graph, variables, where)
                for argument in arguments.get("contextArguments") or ()
                if isinstance(argument, dict)
            ),
        )
    return FieldModel(
        name=field.name.value,
        in_graphs=in_graphs,
        only_through_interface_objects=bool(directives) and not in_graphs,
    )


def read_enum_values(
    document: ast.DocumentNode, join: LinkedSpec, graph_by_enum: Mapping[str, str]
) -> dict[str, dict[str, frozenset[str]]]:
    """``@join__enumValue``: per enum, the subgraphs that define each value."""
    directive = join.directive_name("enumValue")
    enums: dict[str, dict[str, frozenset[str]]] = {}
    for definition in document.definitions:
        if not isinstance(definition, ast.EnumTypeDefinitionNode):
            continue
        if definition.name.value == f"{join.prefix}__Graph":
            continue
        values: dict[str, frozenset[str]] = {}
        for value in definition.values or ():
            graphs = frozenset(
                graph_by_enum[str(arguments["graph"])]
                for arguments in _directives(value, directive)
                if str(arguments.get("graph")) in graph_by_enum
            )
            if graphs:
                values[value.name.value] = graphs
        if values:
            enums[definition.name.value] = values
    return enums
