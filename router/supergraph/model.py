"""The frozen supergraph model: which subgraph resolves which type and field, and how."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from graphql import GraphQLSchema
from graphql.language import ast

from router.supergraph.authorization import AuthorizationRules


@dataclass(frozen=True, slots=True)
class SubgraphEndpoint:
    """One subgraph: its name (``accounts``), its join__Graph value (``ACCOUNTS``) and URL."""

    name: str
    enum_value: str
    url: str


@dataclass(frozen=True, slots=True)
class EntityKey:
    """One ``@join__type(graph:, key:)``: the key fields a subgraph resolves the entity by."""

    graph: str
    fields: str
    selection: ast.SelectionSetNode
    resolvable: bool


@dataclass(frozen=True, slots=True)
class ContextArgument:
    """One join v0.5 ``contextArguments`` entry: an argument the router fills from the
    nearest ancestor of a type marked ``@context(name: context)``."""

    name: str  # the argument of the field
    type: str  # its GraphQL type, as declared in the subgraph
    context: str
    selection: ast.SelectionSetNode  # on the context type: the value to pass
    # The variable that carries the value to the subgraph (``contextualArgument_<g>_<i>``
    # as Apollo's query graph names it: the subgraph's number and the argument's index among
    # the subgraph's contextual arguments sorted by ``Type.field(argument:)``).
    variable: str


@dataclass(frozen=True, slots=True)
class FieldInGraph:
    """One ``@join__field`` of a field: how one subgraph defines it."""

    graph: str
    requires: ast.SelectionSetNode | None
    provides: ast.SelectionSetNode | None
    type: str | None
    external: bool
    override: str | None
    used_overridden: bool
    override_label: str | None = None
    # join v0.5 ``contextArguments``: arguments the router must fill from a @context.
    context_arguments: tuple[ContextArgument, ...] = ()

    @property
    def resolves(self) -> bool:
        """Whether the subgraph resolves the field when no override label is active."""
        return self.resolves_with(frozenset())

    def resolves_with(self, active_labels: frozenset[str]) -> bool:
        """The subgraph resolves the field itself (external fields only arrive via @provides).

        A progressive override (``@override(from:, label:)``) puts ``overrideLabel`` on both
        sides: while the label is active the overriding subgraph resolves the field, otherwise
        the subgraph it is overridden from still does.
        """
        if self.external:
            return False
        if self.override_label is not None:
            active = self.override_label in active_labels
            return active if self.override is not None else not active
        return not self.used_overridden


@dataclass(frozen=True, slots=True)
class FieldModel:
    """A field of a composite type and its per-subgraph definitions."""

    name: str
    # Empty when the field carries no graph-specific @join__field: then every subgraph that
    # defines the parent type resolves it.
    in_graphs: Mapping[str, FieldInGraph]
    # A bare ``@join__field``: an implementation's field that only an @interfaceObject of one
    # of its interfaces resolves.
    only_through_interface_objects: bool = False


@dataclass(frozen=True, slots=True)
class TypeModel:
    """A composite type (object, interface, union) and where it lives."""

    name: str
    kind: str  # "object" | "interface" | "union"
    graphs: frozenset[str]
    keys: tuple[EntityKey, ...]
    interface_object_graphs: frozenset[str]
    fields: Mapping[str, FieldModel]
    # Per subgraph: the interfaces it implements (objects/interfaces) or its members (unions).
    # A graph missing from the mapping means the supergraph did not say (older join specs).
    abstract_links: Mapping[str, frozenset[str]]
    # ``@context(name:)`` names set on this type (Federation 2.8).
    contexts: frozenset[str] = frozenset()

    def keys_in(self, graph: str) -> tuple[EntityKey, ...]:
        return tuple(key for key in self.keys if key.graph == graph)

    @property
    def is_entity(self) -> bool:
        return bool(self.keys)


@dataclass(frozen=True, slots=True, eq=False)
class Supergraph:
    """Everything the planner and executor need, built once from the supergraph SDL."""

    sdl: str
    join_version: str
    subgraphs: Mapping[str, SubgraphEndpoint]
    schema: GraphQLSchema  # the full supergraph schema (join machinery included)
    api_schema: GraphQLSchema
    api_sdl: str
    types: Mapping[str, TypeModel]
    graph_by_enum: Mapping[str, str]
    # enum -> value -> subgraphs defining it (``@join__enumValue``)
    enum_values: Mapping[str, Mapping[str, frozenset[str]]]
    # Every progressive override label (``@join__field(overrideLabel:)``) of the supergraph.
    override_labels: frozenset[str] = frozenset()
    # The labels this view plans with (see ``with_override_labels``); none by default.
    active_override_labels: frozenset[str] = frozenset()
    # @authenticated / @requiresScopes / @policy, enforced before planning (router.auth).
    authorization: AuthorizationRules = field(default_factory=AuthorizationRules)

    def with_override_labels(self, labels: frozenset[str]) -> Supergraph:
        """The same supergraph, planning as if exactly ``labels`` were active (labels the
        supergraph does not use are ignored)."""
        active = labels & self.override_labels
        if active == self.active_override_labels:
            return self
        return replace(self, active_override_labels=active)

    def type(self, name: str) -> TypeModel:
        return self.types[name]

    def field_resolvable_in(self, type_name: str, field_name: str, graph: str) -> bool:
        """Whether ``graph`` resolves ``type_name.field_name`` on its own (no @provides)."""
        if field_name == "__typename":
            return True
        type_model = self.types.get(type_name)
        if type_model is None or graph not in type_model.graphs:
            return False
        field_model = type_model.fields.get(field_name)
        if field_model is None or field_model.only_through_interface_objects:
            return False
        if not field_model.in_graphs:
            return True
        in_graph = field_model.in_graphs.get(graph)
        return in_graph is not None and in_graph.resolves_with(self.active_override_labels)

    def field_known_in(self, type_name: str, field_name: str, graph: str) -> bool:
        """Whether ``graph`` defines the field at all (resolved or @external)."""
        if field_name == "__typename":
            return True
        type_model = self.types.get(type_name)
        if type_model is None or graph not in type_model.graphs:
            return False
        field_model = type_model.fields.get(field_name)
        if field_model is None or field_model.only_through_interface_objects:
            return False
        return not field_model.in_graphs or graph in field_model.in_graphs

    def graphs_resolving(self, type_name: str, field_name: str) -> list[str]:
        type_model = self.types[type_name]
        return [
            graph
            for graph in self.subgraphs
            if graph in type_model.graphs and self.field_resolvable_in(type_name, field_name, graph)
        ]

    def is_interface_object_in(self, type_name: str, graph: str) -> bool:
        """Whether ``graph`` sees the interface ``type_name`` as an @interfaceObject."""
        model = self.types.get(type_name)
        return model is not None and graph in model.interface_object_graphs

    def interfaces_of(self, type_name: str) -> list[str]:
        named = self.schema.type_map.get(type_name)
        return [interface.name for interface in getattr(named, "interfaces", ())]

    def possible_types_in(self, abstract_name: str, graph: str) -> list[str]:
        """Object types a subgraph may return for an abstract type (in supergraph order)."""
        abstract_model = self.types[abstract_name]
        abstract = self.schema.type_map[abstract_name]
        result: list[str] = []
        for possible in self.schema.get_possible_types(abstract):  # type: ignore[arg-type]
            model = self.types.get(possible.name)
            if model is None or graph not in model.graphs:
                continue
            if abstract_model.kind == "union":
                if possible.name not in abstract_model.abstract_links.get(graph, frozenset()):
                    continue
            elif abstract_name not in model.abstract_links.get(graph, frozenset()):
                continue
            result.append(possible.name)
        return result
