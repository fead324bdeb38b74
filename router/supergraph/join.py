"""Reads the ``join__*`` directives of a supergraph document into ``TypeModel``s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import graphql

from router.errors import SupergraphError
from router.supergraph.links import LinkedFeature, directive_arguments
from router.supergraph.model import FieldModel, JoinField, JoinType, SubgraphEndpoint, TypeKind

_KINDS: dict[type, TypeKind] = {
    graphql.ObjectTypeDefinitionNode: "object",
    graphql.ObjectTypeExtensionNode: "object",
    graphql.InterfaceTypeDefinitionNode: "interface",
    graphql.InterfaceTypeExtensionNode: "interface",
    graphql.UnionTypeDefinitionNode: "union",
    graphql.UnionTypeExtensionNode: "union",
    graphql.EnumTypeDefinitionNode: "enum",
    graphql.EnumTypeExtensionNode: "enum",
    graphql.InputObjectTypeDefinitionNode: "input",
    graphql.InputObjectTypeExtensionNode: "input",
    graphql.ScalarTypeDefinitionNode: "scalar",
    graphql.ScalarTypeExtensionNode: "scalar",
}


def read_graphs(
    document: graphql.DocumentNode, join: LinkedFeature, urls: Mapping[str, str]
) -> dict[str, SubgraphEndpoint]:
    """The ``join__Graph`` enum: enum value -> endpoint (URLs overridden by subgraph name)."""
    enum_name = f"{join.prefix}__Graph"
    graph_directive = join.directive_name("graph")
    endpoints: dict[str, SubgraphEndpoint] = {}
    for definition in document.definitions:
        if not (
            isinstance(definition, graphql.EnumTypeDefinitionNode)
            and definition.name.value == enum_name
        ):
            continue
        for value in definition.values or ():
            for directive in value.directives or ():
                if directive.name.value != graph_directive:
                    continue
                arguments = directive_arguments(directive)
                name, url = arguments.get("name"), arguments.get("url")
                if not isinstance(name, str) or not isinstance(url, str):
                    raise SupergraphError(
                        f"@{graph_directive} on {value.name.value} needs name and url"
                    )
                endpoints[value.name.value] = SubgraphEndpoint(
                    name=name, enum_value=value.name.value, url=urls.get(name, url)
                )
    if not endpoints:
        raise SupergraphError(f"the supergraph declares no subgraphs (enum {enum_name} is missing)")
    return endpoints


class JoinReader:
    """Accumulates join information over type definitions and extensions."""

    def __init__(self, join: LinkedFeature, graphs: Mapping[str, SubgraphEndpoint]) -> None:
        self._join = join
        self._graph_names = {value: endpoint.name for value, endpoint in graphs.items()}
        self.kinds: dict[str, TypeKind] = {}
        self.join_types: dict[str, list[JoinType]] = defaultdict(list)
        self.fields: dict[str, dict[str, list[JoinField]]] = defaultdict(dict)
        self.implements: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def read(self, document: graphql.DocumentNode) -> None:
        for definition in document.definitions:
            kind = _KINDS.get(type(definition))
            if kind is None:
                continue
            assert isinstance(definition, graphql.TypeDefinitionNode | graphql.TypeExtensionNode)
            name = definition.name.value
            self.kinds[name] = kind
            for directive in definition.directives or ():
                self._read_type_directive(name, directive)
            for field_node in getattr(definition, "fields", None) or ():
                joins = self.fields[name].setdefault(field_node.name.value, [])
                for directive in field_node.directives or ():
                    if directive.name.value == self._join.directive_name("field"):
                        joins.append(self._join_field(directive))

    def _graph(self, value: object) -> str:
        if not isinstance(value, str) or value not in self._graph_names:
            raise SupergraphError(f"unknown join__Graph value {value!r}")
        return self._graph_names[value]

    def _read_type_directive(self, type_name: str, directive: graphql.DirectiveNode) -> None:
        name = directive.name.value
        arguments = directive_arguments(directive)
        if name == self._join.directive_name("type"):
            self.join_types[type_name].append(
                JoinType(
                    graph=self._graph(arguments.get("graph")),
                    key=_optional_str(arguments.get("key")),
                    extension=bool(arguments.get("extension", False)),
                    resolvable=bool(arguments.get("resolvable", True)),
                    is_interface_object=bool(arguments.get("isInterfaceObject", False)),
                )
            )
        elif name == self._join.directive_name("implements"):
            interface = arguments.get("interface")
            if isinstance(interface, str):
                self.implements[type_name][self._graph(arguments.get("graph"))].add(interface)
        elif name == self._join.directive_name("unionMember"):
            member = arguments.get("member")
            if isinstance(member, str):
                self.members[type_name][self._graph(arguments.get("graph"))].add(member)

    def _join_field(self, directive: graphql.DirectiveNode) -> JoinField:
        arguments = directive_arguments(directive)
        graph = arguments.get("graph")
        return JoinField(
            graph=self._graph(graph) if graph is not None else None,
            requires=_optional_str(arguments.get("requires")),
            provides=_optional_str(arguments.get("provides")),
            type=_optional_str(arguments.get("type")),
            external=bool(arguments.get("external") or False),
            override=_optional_str(arguments.get("override")),
            override_label=_optional_str(arguments.get("overrideLabel")),
            used_overridden=bool(arguments.get("usedOverridden") or False),
        )

    def field_models(self, type_name: str) -> dict[str, FieldModel]:
        return {
            field_name: FieldModel(field_name, tuple(joins))
            for field_name, joins in self.fields.get(type_name, {}).items()
        }


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
