"""The frozen supergraph model: what each ``join__*`` directive says about types and fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import graphql

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]


@dataclass(frozen=True, slots=True)
class SubgraphEndpoint:
    """One subgraph: its ``join__graph`` name, its ``join__Graph`` enum value and its URL."""

    name: str
    enum_value: str
    url: str


@dataclass(frozen=True, slots=True)
class JoinType:
    """One ``@join__type``: the type exists in ``graph``, maybe as an entity with ``key``."""

    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    is_interface_object: bool = False


@dataclass(frozen=True, slots=True)
class JoinField:
    """One ``@join__field``; ``graph`` is None for the argument-less form."""

    graph: str | None
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    override_label: str | None = None
    used_overridden: bool = False


@dataclass(frozen=True, slots=True)
class FieldModel:
    name: str
    join_fields: tuple[JoinField, ...] = ()


@dataclass(frozen=True, slots=True)
class TypeModel:
    name: str
    kind: TypeKind
    join_types: tuple[JoinType, ...] = ()
    fields: Mapping[str, FieldModel] = field(default_factory=dict)
    implements: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> interfaces
    union_members: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> members

    def graphs(self) -> frozenset[str]:
        return frozenset(join.graph for join in self.join_types)

    def keys(self, graph: str) -> tuple[str, ...]:
        """Keys the subgraph can resolve the entity by (``resolvable: false`` keys excluded)."""
        return tuple(
            join.key
            for join in self.join_types
            if join.graph == graph and join.key is not None and join.resolvable
        )

    def all_keys(self, graph: str) -> tuple[str, ...]:
        return tuple(j.key for j in self.join_types if j.graph == graph and j.key is not None)

    def is_interface_object_in(self, graph: str) -> bool:
        return any(j.graph == graph and j.is_interface_object for j in self.join_types)


@dataclass(frozen=True, slots=True)
class Supergraph:
    """Built once by ``load_supergraph``; shared read-only by the planner and executor."""

    subgraphs: Mapping[str, SubgraphEndpoint]
    api_schema: graphql.GraphQLSchema
    api_sdl: str
    schema: graphql.GraphQLSchema  # the whole supergraph schema (inaccessible elements included)
    types: Mapping[str, TypeModel]
    join_version: str
    sdl: str = field(repr=False, default="")

    def type(self, name: str) -> TypeModel:
        return self.types[name]

    def root_type_name(self, operation: str) -> str | None:
        root = {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[operation]
        return root.name if root is not None else None
