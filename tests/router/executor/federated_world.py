"""A federation test bench without servers: every subgraph of a fixture group is executed
in memory by graphql-core over one shared "world" of objects, and the same world answers the
oracle (the plain, unfederated API schema). A correct router reproduces the oracle exactly.

Subgraphs check what the router sends them: an ``_entities`` call for a type the subgraph
cannot resolve fails, a ``@requires`` field answers ``"wrong requires"`` unless the
representation carries exactly the world's values of the required fields, and an
``@external`` field answers ``"external field"`` unless a ``@provides`` on the way covers it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLAbstractType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
)
from graphql.language import ast

from router.supergraph import Supergraph
from router.types import RequestContext, SubgraphRequest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

FEDERATION_DEFINITIONS = """
scalar _Any
scalar FieldSet
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @external on FIELD_DEFINITION | OBJECT
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM | ENUM_VALUE
directive @interfaceObject on OBJECT
"""

World = dict[str, Any]
WRONG_REQUIRES = "wrong requires"
EXTERNAL_FIELD = "external field"
PROVIDED = "__provided"


def _strip_link(sdl: str) -> str:
    return "\n".join(line for line in sdl.splitlines() if not line.startswith("extend schema"))


def _directive_argument(node: Any, directive: str, argument: str) -> list[Any]:
    return [
        a.value.value
        for d in node.directives or ()
        if d.name.value == directive
        for a in d.arguments or ()
        if a.name.value == argument
    ]


def _selection(fields: str) -> ast.SelectionSetNode:
    operation = parse("{" + fields + "}").definitions[0]
    assert isinstance(operation, ast.OperationDefinitionNode)
    return operation.selection_set


def project(value: Any, selection: ast.SelectionSetNode) -> Any:
    if isinstance(value, list):
        return [project(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for node in selection.selections:
        if isinstance(node, ast.FieldNode):
            child = value.get(node.name.value)
            result[node.name.value] = (
                project(child, node.selection_set) if node.selection_set else child
            )
        elif isinstance(node, ast.InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else None
            if condition is None or condition == value.get("__typename"):
                result.update(project(value, node.selection_set))
    return result


def _without_typename(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_typename(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_typename(v) for k, v in value.items() if k != "__typename"}
    return value


def _mark_provided(value: Any, selection: ast.SelectionSetNode) -> Any:
    """Copies of the returned objects that know which external fields were provided."""
    if isinstance(value, list):
        return [_mark_provided(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    marked = {**value, PROVIDED: set()}
    for node in selection.selections:
        if isinstance(node, ast.InlineFragmentNode):
            nested = _mark_provided(value, node.selection_set)
            marked[PROVIDED] |= nested[PROVIDED]
            continue
        assert isinstance(node, ast.FieldNode)
        marked[PROVIDED].add(node.name.value)
        if node.selection_set is not None:
            marked[node.name.value] = _mark_provided(value.get(node.name.value), node.selection_set)
    return marked


class FakeSubgraph:
    def __init__(self, name: str, sdl: str, world: World, supergraph: Supergraph) -> None:
        self.name = name
        self.world = world
        self.supergraph = supergraph
        document = parse(FEDERATION_DEFINITIONS + _strip_link(sdl))
        self.resolvable: set[str] = set()
        self.requires: dict[tuple[str, str], ast.SelectionSetNode] = {}
        self.provides: dict[tuple[str, str], ast.SelectionSetNode] = {}
        self.external: set[tuple[str, str]] = set()
        entity_objects: list[str] = []
        has_query = False
        for definition in document.definitions:
            if not isinstance(
                definition,
                ast.ObjectTypeDefinitionNode
                | ast.InterfaceTypeDefinitionNode
                | ast.ObjectTypeExtensionNode,
            ):
                continue
            type_name = definition.name.value
            has_query = has_query or type_name == "Query"
            keys = [d for d in definition.directives or () if d.name.value == "key"]
            if keys:
                if False not in _directive_argument(definition, "key", "resolvable"):
                    self.resolvable.add(type_name)
                if isinstance(definition, ast.ObjectTypeDefinitionNode):
                    entity_objects.append(type_name)
            for field in definition.fields or ():
                coordinate = (type_name, field.name.value)
                for fields in _directive_argument(field, "requires", "fields"):
                    self.requires[coordinate] = _selection(fields)
                for fields in _directive_argument(field, "provides", "fields"):
                    self.provides[coordinate] = _selection(fields)
                if any(d.name.value == "external" for d in field.directives or ()):
                    self.external.add(coordinate)
        extra = f"union _Entity = {' | '.join(entity_objects)}\n" if entity_objects else ""
        entities = "_entities(representations: [_Any!]!): [_Entity]!" if entity_objects else ""
        if entities:
            extra += ("extend type Query" if has_query else "type Query") + f" {{ {entities} }}\n"
        self.schema: GraphQLSchema = build_schema(
            FEDERATION_DEFINITIONS + _strip_link(sdl) + "\n" + extra
        )

    def resolve(self, source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        field = info.field_name
        if field == "_entities":
            results = []
            for representation in arguments["representations"]:
                typename = representation["__typename"]
                if typename not in self.resolvable:
                    raise ValueError(f"{self.name} cannot resolve {typename} entities")
                match = None
                for obj in self._candidates(typename):
                    if any(
                        all(
                            (project(obj.get(k), sel) if sel else obj.get(k))
                            == representation.get(k)
                            for k, sel in key
                        )
                        for key in self._keys(typename)
                    ):
                        match = obj
                        break
                results.append(
                    None if match is None else {**match, "__representation": representation}
                )
            return results
        parent = info.parent_type.name
        required = self.requires.get((parent, field))
        if required is not None:
            representation = source.get("__representation", {})
            expected = project(source, required)
            sent = {k: _without_typename(representation.get(k)) for k in expected}
            if sent != expected:
                return WRONG_REQUIRES
        if source is None:
            source = self.world["Query"]
        if (parent, field) in self.external and field not in source.get(PROVIDED, ()):
            return EXTERNAL_FIELD
        value = source.get(field)
        value = value(**arguments) if callable(value) else value
        provides = self.provides.get((parent, field))
        if provides is not None:
            value = _mark_provided(value, provides)
        return value

    def _keys(self, typename: str) -> list[list[tuple[str, ast.SelectionSetNode | None]]]:
        keys = []
        for key in self.supergraph.types[typename].keys_in(self.name):
            fields = []
            for node in key.selection.selections:
                assert isinstance(node, ast.FieldNode)
                fields.append((node.name.value, node.selection_set))
            keys.append(fields)
        return keys

    def _candidates(self, typename: str) -> list[dict[str, Any]]:
        named = self.supergraph.schema.type_map[typename]
        if isinstance(named, GraphQLAbstractType):
            names = [t.name for t in self.supergraph.schema.get_possible_types(named)]
        else:
            names = [typename]
        return [obj for name in names for obj in self.world["objects"].get(name, ())]

    def type_resolver(self, value: Any, info: GraphQLResolveInfo, abstract: Any) -> str:
        typename = value["__typename"]
        possible = {t.name for t in self.schema.get_possible_types(abstract)}
        if typename in possible:
            return str(typename)
        for interface in self.supergraph.interfaces_of(typename):
            if interface in possible:
                return interface
        raise ValueError(f"{self.name} cannot type {typename} as {abstract.name}")

    def execute(self, request: SubgraphRequest) -> dict[str, Any]:
        result = execute(
            self.schema,
            parse(request.query),
            variable_values=request.variables,
            operation_name=request.operation_name,
            field_resolver=self.resolve,
            type_resolver=self.type_resolver,
        )
        assert isinstance(result, ExecutionResult)
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [error.formatted for error in result.errors]
        return response


class FederatedWorld:
    """The subgraphs of a fixture group over one world, plus the unfederated oracle."""

    def __init__(self, group: str, supergraph: Supergraph, world: World) -> None:
        self.world = world
        self.subgraphs = {
            path.stem: FakeSubgraph(path.stem, path.read_text(), world, supergraph)
            for path in sorted((FIXTURES / "subgraphs" / group).glob("*.graphql"))
        }
        self.oracle_schema = build_schema(supergraph.api_sdl)

    async def fetcher(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        return self.subgraphs[subgraph].execute(request)

    def oracle(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
            value = (source if source is not None else self.world["Query"]).get(info.field_name)
            return value(**arguments) if callable(value) else value

        result = execute(
            self.oracle_schema,
            parse(document),
            variable_values=variables,
            field_resolver=resolve,
            type_resolver=lambda value, info, abstract: value["__typename"],
        )
        assert isinstance(result, ExecutionResult)
        response: dict[str, Any] = {"data": result.data}
        if result.errors:
            response["errors"] = [error.formatted for error in result.errors]
        return response
