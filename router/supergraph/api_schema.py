"""Derive the public API schema: no link/join machinery, no spec directives, no @inaccessible."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import GraphQLSchema, build_ast_schema, print_schema
from graphql.language import REMOVE, Visitor, ast, visit

from router.supergraph.links import LinkedSpec

# Specs whose directives describe execution or security and never reach the API schema.
_MACHINERY_SPECS = frozenset(
    {
        "link",
        "join",
        "inaccessible",
        "tag",
        "authenticated",
        "requiresScopes",
        "policy",
        "cost",
        "context",
    }
)


_EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
    }
)


def _type_system_only_directives(document: ast.DocumentNode) -> frozenset[str]:
    """Directives (composed with @composeDirective, say) clients can never use: the API schema
    leaves them and their applications out, as @apollo/federation-internals does."""
    return frozenset(
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, ast.DirectiveDefinitionNode)
        and not any(location.value in _EXECUTABLE_LOCATIONS for location in definition.locations)
    )


class _ApiSchemaVisitor(Visitor):
    def __init__(self, links: list[LinkedSpec], type_system_only: frozenset[str]) -> None:
        super().__init__()
        self._type_system_only = type_system_only
        self._machinery = [link for link in links if link.name in _MACHINERY_SPECS]
        inaccessible = [link for link in links if link.name == "inaccessible"]
        self._inaccessible = (
            inaccessible[0].directive_name("inaccessible") if inaccessible else None
        )

    def _is_machinery(self, name: str) -> bool:
        return (
            name == "link"
            or name in self._type_system_only
            or any(link.owns(name) for link in self._machinery)
        )

    def _is_inaccessible(self, node: Any) -> bool:
        return self._inaccessible is not None and any(
            directive.name.value == self._inaccessible for directive in node.directives or ()
        )

    def enter(self, node: ast.Node, *_args: Any) -> Any:
        if isinstance(node, ast.DirectiveNode):
            return REMOVE if self._is_machinery(node.name.value) else None
        if isinstance(node, ast.DirectiveDefinitionNode):
            return REMOVE if self._is_machinery(node.name.value) else None
        if isinstance(node, ast.TypeDefinitionNode):
            if self._is_machinery(node.name.value) or self._is_inaccessible(node):
                return REMOVE
            return None
        if isinstance(
            node,
            ast.FieldDefinitionNode | ast.InputValueDefinitionNode | ast.EnumValueDefinitionNode,
        ) and self._is_inaccessible(node):
            return REMOVE
        return None


def _drop_dangling_references(document: ast.DocumentNode) -> ast.DocumentNode:
    """Union members and interfaces whose type was removed as @inaccessible."""
    names = {
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, ast.TypeDefinitionNode)
    }
    definitions: list[ast.DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, ast.UnionTypeDefinitionNode):
            members = tuple(t for t in definition.types or () if t.name.value in names)
            if not members:
                continue
            definition = replace(definition, types=members)
        if isinstance(definition, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode):
            definition = replace(
                definition,
                interfaces=tuple(i for i in definition.interfaces or () if i.name.value in names),
            )
        if isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            definition = replace(definition, directives=())
        definitions.append(definition)
    return ast.DocumentNode(definitions=tuple(definitions))


def build_api_schema(document: ast.DocumentNode, links: list[LinkedSpec]) -> GraphQLSchema:
    stripped = visit(document, _ApiSchemaVisitor(links, _type_system_only_directives(document)))
    return build_ast_schema(_drop_dangling_references(stripped), assume_valid_sdl=True)


def print_api_schema(schema: GraphQLSchema) -> str:
    return print_schema(schema)
