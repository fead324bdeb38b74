"""Parse one subgraph SDL into a validated graphql-core schema with normalised federation names.

Whatever a subgraph imported (``@key``), renamed (``{name: "@key", as: "@primaryKey"}``) or left
namespaced (``@federation__key``), every federation directive comes out as
``@federation__<name>``; Federation 1 SDLs (no ``@link``) get the same treatment for their bare
directive names. Router-only machinery (``_service``, ``_entities``, ``_Any``...) is removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)
from graphql.language import ast
from graphql.validation.validate import validate_sdl

from router.composition.federation_spec import (
    DIRECTIVE_MINIMUM_VERSIONS,
    FEDERATION1_DIRECTIVES,
    FEDERATION_DEFINITIONS_SDL,
    FEDERATION_DIRECTIVES,
    FEDERATION_SPEC_URL_PATTERN,
    FEDERATION_TYPES,
    NAMESPACE,
    SUBGRAPH_INTERNAL_QUERY_FIELDS,
    SUBGRAPH_INTERNAL_TYPES,
    namespaced,
)
from router.composition.results import Diagnostics, SubgraphSource
from router.composition.spec_links import SpecLink, read_composed_names, read_spec_links

ROOT_TYPE_NAMES: dict[str, str] = {
    "query": "Query",
    "mutation": "Mutation",
    "subscription": "Subscription",
}
_FEDERATION_DEFINITIONS = parse(FEDERATION_DEFINITIONS_SDL).definitions
# Applications of a custom directive this subgraph defines but does not @composeDirective.
UNCOMPOSED_PREFIX = "__uncomposed__"


@dataclass(frozen=True)
class Subgraph:
    """A validated subgraph: its graphql-core schema plus what its federation link declared."""

    name: str
    url: str
    schema: GraphQLSchema
    federation_version: tuple[int, int]
    is_federation1: bool
    # Types this subgraph only extends (``extend type``/``@extends``): join__type(extension:).
    extension_types: frozenset[str]
    # The types among those marked @extends (an upgraded Federation 1 subgraph keeps them).
    extends_types: frozenset[str]
    # The names this subgraph gave @tag and @inaccessible (the supergraph reuses a rename).
    local_directive_names: dict[str, str]
    # Every @link (federation's included, link's own left out) and the @composeDirective names.
    spec_links: tuple[SpecLink, ...] = ()
    composed_names: tuple[str, ...] = ()
    # Federation directive (canonical name) -> the name its applications use in this subgraph
    # (``cost``, ``weight`` when imported as ``@weight``, ``federation__cost`` when not imported).
    applied_names: dict[str, str] = field(default_factory=dict)

    def named_type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.type_map.get(name)

    def user_types(self) -> Iterator[GraphQLNamedType]:
        """Every type the subgraph defines, without built-ins and federation machinery."""
        for name, named_type in self.schema.type_map.items():
            if name.startswith("__") or name.startswith(f"{NAMESPACE}__"):
                continue
            if named_type.ast_node is None and not named_type.extension_ast_nodes:
                continue  # built-in scalar
            yield named_type


def directives(element: Any, name: str) -> list[DirectiveNode]:
    """Applications of the normalised federation directive ``name`` on a schema element."""
    wanted = namespaced(name)
    return [node for node in all_directives(element) if node.name.value == wanted]


def all_directives(element: Any) -> Iterator[DirectiveNode]:
    for node in _ast_nodes(element):
        yield from node.directives or ()


def _ast_nodes(element: Any) -> list[Any]:
    nodes = [element.ast_node] if getattr(element, "ast_node", None) is not None else []
    return nodes + list(getattr(element, "extension_ast_nodes", None) or ())


def has_directive(element: Any, name: str) -> bool:
    return bool(directives(element, name))


def directive_arguments(node: DirectiveNode) -> dict[str, Any]:
    return {
        argument.name.value: value_from_ast_untyped(argument.value)
        for argument in node.arguments or ()
    }


def is_field_shareable(
    owner: GraphQLObjectType | GraphQLInterfaceType, field: GraphQLField
) -> bool:
    """@shareable on the field, or on the definition (or extension) that declares the field."""
    if has_directive(field, "shareable"):
        return True
    for node in _ast_nodes(owner):
        declared = any(field_node is field.ast_node for field_node in node.fields or ())
        if declared and any(
            directive.name.value == namespaced("shareable") for directive in node.directives or ()
        ):
            return True
    return False


def description_of(element: Any) -> str | None:
    return element.description if getattr(element, "description", None) else None


def load_subgraph(source: SubgraphSource, diagnostics: Diagnostics) -> Subgraph | None:
    """Parse and validate one subgraph; report INVALID_GRAPHQL problems and return None."""
    try:
        document = parse(source.sdl)
    except GraphQLSyntaxError as error:
        diagnostics.error(
            "INVALID_GRAPHQL",
            f'[{source.name}] The SDL of subgraph "{source.name}" cannot be parsed: '
            f"{error.message} (line {_line_of(error)}). Fix the syntax of that subgraph's schema.",
            subgraph=source.name,
        )
        return None
    link = _read_federation_link(document, source.name, diagnostics)
    composed_names = [
        name
        for local, canonical in link.directive_renames.items()
        if canonical == "composeDirective" and not link.is_federation1
        for name in read_composed_names(document, local)
    ]
    composed = {name.removeprefix("@") for name in composed_names}
    normaliser = _Normaliser(link, composed)
    normalised = normaliser.normalise(document)
    full_document = DocumentNode(definitions=(*normalised.definitions, *_FEDERATION_DEFINITIONS))
    problems = validate_sdl(full_document)
    if problems:
        for problem in problems:
            diagnostics.error(
                "INVALID_GRAPHQL",
                f'[{source.name}] Invalid schema in subgraph "{source.name}": {problem.message}',
                subgraph=source.name,
            )
        return None
    try:
        schema = build_ast_schema(full_document, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        diagnostics.error(
            "INVALID_GRAPHQL",
            f'[{source.name}] Invalid schema in subgraph "{source.name}": {error}',
            subgraph=source.name,
        )
        return None
    return Subgraph(
        name=source.name,
        url=source.url,
        schema=schema,
        federation_version=link.version,
        is_federation1=link.is_federation1,
        extension_types=frozenset(normalised.extension_types),
        extends_types=frozenset(normalised.extends_types),
        local_directive_names={
            canonical: local
            for local, canonical in link.directive_renames.items()
            if canonical in {"tag", "inaccessible"} and "__" not in local
        },
        spec_links=tuple(read_spec_links(document)),
        composed_names=tuple(composed_names),
        applied_names=normaliser.applied_names,
    )


def _line_of(error: GraphQLSyntaxError) -> str:
    return str(error.locations[0].line) if error.locations else "?"


@dataclass
class _FederationLink:
    version: tuple[int, int]
    is_federation1: bool
    # local directive name -> canonical federation name (without namespace)
    directive_renames: dict[str, str]
    type_renames: dict[str, str]


def _read_federation_link(
    document: DocumentNode, subgraph: str, diagnostics: Diagnostics
) -> _FederationLink:
    for definition in document.definitions:
        if not isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            arguments = directive_arguments(directive)
            match = FEDERATION_SPEC_URL_PATTERN.match(str(arguments.get("url", "")))
            if match is None:
                continue
            namespace = str(arguments.get("as") or NAMESPACE)
            link = _FederationLink(
                version=(int(match["major"]), int(match["minor"])),
                is_federation1=False,
                directive_renames={f"{namespace}__{name}": name for name in FEDERATION_DIRECTIVES},
                type_renames={f"{namespace}__{name}": name for name in FEDERATION_TYPES},
            )
            for imported in arguments.get("import") or ():
                _add_import(link, imported, subgraph, diagnostics)
            return link
    return _FederationLink(
        version=(1, 0),
        is_federation1=True,
        directive_renames={name: name for name in FEDERATION1_DIRECTIVES},
        type_renames={"_FieldSet": "FieldSet"},
    )


def _add_import(
    link: _FederationLink, imported: Any, subgraph: str, diagnostics: Diagnostics
) -> None:
    if isinstance(imported, dict):
        name = str(imported.get("name", ""))
        alias = str(imported.get("as") or name)
    else:
        name = alias = str(imported)
    directive = name.removeprefix("@")
    if name.startswith("@") and DIRECTIVE_MINIMUM_VERSIONS.get(directive, (9, 9)) <= link.version:
        link.directive_renames[alias.removeprefix("@")] = directive
    elif name in FEDERATION_TYPES:
        link.type_renames[alias] = name
    else:
        version = ".".join(map(str, link.version))
        diagnostics.error(
            "INVALID_LINK_DIRECTIVE_USAGE",
            f'[{subgraph}] Cannot import unknown element "{name}". Federation v{version} does '
            "not define it: remove it from the @link import list or link a newer federation "
            "version.",
            subgraph=subgraph,
        )


@dataclass
class _Normalised:
    definitions: list[ast.DefinitionNode]
    extension_types: set[str]
    extends_types: set[str]


class _Normaliser:
    """Rewrites a subgraph document into the normalised form described in the module doc."""

    def __init__(self, link: _FederationLink, composed: set[str]) -> None:
        self.link = link
        self.composed = composed
        self.root_renames: dict[str, str] = {}
        self.uncomposed: set[str] = set()
        self.applied_names: dict[str, str] = {}

    def normalise(self, document: DocumentNode) -> _Normalised:
        self._collect_root_renames(document)
        # Custom directives the subgraph does not compose reach the supergraph only where a
        # composing subgraph applies them too (then Apollo counts every application): they are
        # kept under UNCOMPOSED_PREFIX, with a definition of that name.
        uncomposed = [
            node
            for node in document.definitions
            if isinstance(node, ast.DirectiveDefinitionNode)
            and self._keeps(node)
            and node.name.value not in self.composed
        ]
        self.uncomposed = {node.name.value for node in uncomposed}
        kept = [self._rewrite(node) for node in document.definitions if self._keeps(node)]
        kept += [
            replace(node, name=ast.NameNode(value=UNCOMPOSED_PREFIX + node.name.value))
            for node in uncomposed
        ]
        return self._promote_orphan_extensions(self._drop_empty_roots(kept))

    def _collect_root_renames(self, document: DocumentNode) -> None:
        for definition in document.definitions:
            if isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
                for operation_type in definition.operation_types or ():
                    standard = ROOT_TYPE_NAMES[operation_type.operation.value]
                    self.root_renames[operation_type.type.name.value] = standard

    def _keeps(self, node: ast.DefinitionNode) -> bool:
        if isinstance(node, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            return False
        if isinstance(node, ast.DirectiveDefinitionNode):
            name = node.name.value
            return name != "link" and name not in self.link.directive_renames
        if isinstance(node, ast.TypeDefinitionNode | ast.TypeExtensionNode):
            name = node.name.value
            return (
                name not in SUBGRAPH_INTERNAL_TYPES
                and name not in self.link.type_renames
                and not name.startswith(f"{NAMESPACE}__")
            )
        return True

    def _rewrite(self, node: Any) -> Any:
        return _transform(node, self._rewrite_leaf)

    def _rewrite_leaf(self, node: Any) -> Any:
        if isinstance(node, ast.DirectiveNode) and node.name.value in self.uncomposed:
            return replace(node, name=ast.NameNode(value=UNCOMPOSED_PREFIX + node.name.value))
        if isinstance(node, ast.DirectiveNode):
            canonical = self.link.directive_renames.get(node.name.value)
            if canonical is not None:
                self.applied_names.setdefault(canonical, node.name.value)
                return replace(node, name=ast.NameNode(value=namespaced(canonical)))
        if isinstance(node, ast.NamedTypeNode):
            name = node.name.value
            if name in self.root_renames:
                return replace(node, name=ast.NameNode(value=self.root_renames[name]))
            if name in self.link.type_renames:
                return replace(
                    node, name=ast.NameNode(value=namespaced(self.link.type_renames[name]))
                )
        if isinstance(node, ast.ObjectTypeDefinitionNode | ast.ObjectTypeExtensionNode):
            name = node.name.value
            node = replace(node, name=ast.NameNode(value=self.root_renames.get(name, name)))
            if node.name.value == "Query":
                fields = [
                    field
                    for field in node.fields or ()
                    if field.name.value not in SUBGRAPH_INTERNAL_QUERY_FIELDS
                ]
                node = replace(node, fields=tuple(fields))
        return node

    def _drop_empty_roots(self, definitions: list[Any]) -> list[Any]:
        field_counts: dict[str, int] = {}
        for node in definitions:
            if isinstance(node, ast.ObjectTypeDefinitionNode | ast.ObjectTypeExtensionNode):
                field_counts[node.name.value] = field_counts.get(node.name.value, 0) + len(
                    node.fields or ()
                )
        return [
            node
            for node in definitions
            if not (
                isinstance(node, ast.ObjectTypeDefinitionNode | ast.ObjectTypeExtensionNode)
                and node.name.value in ROOT_TYPE_NAMES.values()
                and field_counts[node.name.value] == 0
            )
        ]

    def _promote_orphan_extensions(self, definitions: list[Any]) -> _Normalised:
        defined = {
            node.name.value for node in definitions if isinstance(node, ast.TypeDefinitionNode)
        }
        extension_types: set[str] = set()
        extends_types: set[str] = set()
        promoted: list[Any] = []
        for node in definitions:
            if isinstance(node, ast.TypeExtensionNode) and node.name.value not in defined:
                defined.add(node.name.value)
                if node.name.value not in ROOT_TYPE_NAMES.values():
                    extension_types.add(node.name.value)
                node = _as_definition(node)
            if isinstance(node, ast.TypeDefinitionNode) and any(
                directive.name.value == namespaced("extends") for directive in node.directives or ()
            ):
                extension_types.add(node.name.value)
                extends_types.add(node.name.value)
            promoted.append(node)
        return _Normalised(promoted, extension_types, extends_types)


_DEFINITION_OF_EXTENSION: dict[type[ast.Node], type[ast.Node]] = {
    ast.ObjectTypeExtensionNode: ast.ObjectTypeDefinitionNode,
    ast.InterfaceTypeExtensionNode: ast.InterfaceTypeDefinitionNode,
    ast.UnionTypeExtensionNode: ast.UnionTypeDefinitionNode,
    ast.EnumTypeExtensionNode: ast.EnumTypeDefinitionNode,
    ast.InputObjectTypeExtensionNode: ast.InputObjectTypeDefinitionNode,
    ast.ScalarTypeExtensionNode: ast.ScalarTypeDefinitionNode,
}


def _as_definition(node: Any) -> Any:
    definition_class = _DEFINITION_OF_EXTENSION[type(node)]
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.setdefault("description", None)
    return definition_class(**{key: values.get(key) for key in definition_class.keys})


def _transform(node: Any, leaf: Any) -> Any:
    """Rebuild a frozen AST bottom-up, applying ``leaf`` to every node after its children."""
    if isinstance(node, tuple | list):
        return tuple(_transform(child, leaf) for child in node)
    if not isinstance(node, ast.Node):
        return node
    changes = {
        key: _transform(getattr(node, key), leaf)
        for key in node.keys
        if key != "loc" and isinstance(getattr(node, key), ast.Node | tuple | list)
    }
    return leaf(replace(node, **changes) if changes else node)
