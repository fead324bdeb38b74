"""Derives the public API schema: no link/join machinery, no ``@inaccessible`` elements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphql

from router.supergraph.links import LinkedFeature


class _ApiSchemaFilter(graphql.Visitor):
    def __init__(self, features: Sequence[LinkedFeature]) -> None:
        super().__init__()
        self._spec_features = [feature for feature in features if feature.is_apollo_spec]
        inaccessible = next((f for f in self._spec_features if f.name == "inaccessible"), None)
        self._inaccessible = inaccessible.directive_name("inaccessible") if inaccessible else None
        self.removed_types: set[str] = set()

    def is_spec_directive(self, name: str) -> bool:
        return any(feature.owns_directive(name) for feature in self._spec_features)

    def is_spec_type(self, name: str) -> bool:
        return any(feature.owns_type(name) for feature in self._spec_features)

    def is_inaccessible(self, node: Any) -> bool:
        return self._inaccessible is not None and any(
            directive.name.value == self._inaccessible for directive in node.directives or ()
        )

    def enter_directive(self, node: graphql.DirectiveNode, *_: Any) -> Any:
        return graphql.REMOVE if self.is_spec_directive(node.name.value) else None

    def enter_directive_definition(self, node: graphql.DirectiveDefinitionNode, *_: Any) -> Any:
        return graphql.REMOVE if self.is_spec_directive(node.name.value) else None

    def _element(self, node: Any, *_: Any) -> Any:
        return graphql.REMOVE if self.is_inaccessible(node) else None

    enter_field_definition = _element
    enter_input_value_definition = _element
    enter_enum_value_definition = _element


def _type_definitions_to_keep(
    document: graphql.DocumentNode, api_filter: _ApiSchemaFilter
) -> graphql.DocumentNode:
    removed = {
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, graphql.TypeDefinitionNode | graphql.TypeExtensionNode)
        and (
            api_filter.is_spec_type(definition.name.value) or api_filter.is_inaccessible(definition)
        )
    }
    api_filter.removed_types = removed
    kept: list[graphql.DefinitionNode] = []
    for definition in document.definitions:
        if (
            isinstance(definition, graphql.TypeDefinitionNode | graphql.TypeExtensionNode)
            and definition.name.value in removed
        ):
            continue
        kept.append(_without_removed_references(definition, removed))
    return graphql.DocumentNode(definitions=tuple(kept))


def _without_removed_references(
    definition: graphql.DefinitionNode, removed: set[str]
) -> graphql.DefinitionNode:
    updates: dict[str, Any] = {}
    interfaces = getattr(definition, "interfaces", None)
    if interfaces:
        updates["interfaces"] = tuple(i for i in interfaces if i.name.value not in removed)
    types = getattr(definition, "types", None)
    if isinstance(definition, graphql.UnionTypeDefinitionNode | graphql.UnionTypeExtensionNode):
        updates["types"] = tuple(t for t in types or () if t.name.value not in removed)
    if isinstance(definition, graphql.SchemaDefinitionNode):
        updates["operation_types"] = tuple(
            o for o in definition.operation_types if o.type.name.value not in removed
        )
    if not updates:
        return definition
    return type(definition)(**{**{k: getattr(definition, k) for k in definition.keys}, **updates})


def build_api_schema(
    document: graphql.DocumentNode, features: Sequence[LinkedFeature]
) -> graphql.GraphQLSchema:
    api_filter = _ApiSchemaFilter(features)
    filtered = graphql.visit(document, api_filter)
    pruned = _type_definitions_to_keep(filtered, api_filter)
    return graphql.build_ast_schema(pruned, assume_valid_sdl=True)
