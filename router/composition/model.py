"""The merged supergraph before printing: types with their per-subgraph (``join__*``) origins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql.language import ast

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]


@dataclass(frozen=True)
class Key:
    fields: str
    resolvable: bool = True
    # Applied on a type extension (``extend type T @key(...)``) or on a type marked @extends:
    # its ``@join__type`` says ``extension: true``, as Apollo's does.
    extension: bool = False


@dataclass
class TypeSource:
    """What one subgraph says about a type: one ``@join__type`` per key (or one without key)."""

    graph: str
    keys: list[Key] = field(default_factory=list)
    # The subgraph only extends the type (no definition of its own): EXTENSION_WITH_NO_BASE.
    extension: bool = False
    is_interface_object: bool = False


@dataclass(frozen=True)
class ContextArgument:
    """An argument a subgraph fills from an ancestor's ``@context`` (``@fromContext``)."""

    name: str
    type: str
    context: str  # supergraph context name: "<subgraph>__<name>"
    selection: str


@dataclass
class FieldSource:
    """One subgraph's definition of a field: becomes one ``@join__field`` when needed."""

    graph: str
    type: str
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None
    used_overridden: bool = False
    context_arguments: list[ContextArgument] = field(default_factory=list)

    @property
    def progressively_overridden(self) -> bool:
        """Another subgraph takes over a share of this field (``@override(label:)``)."""
        return self.override is None and self.override_label is not None


@dataclass
class Argument:
    name: str
    type: str
    default: ast.ConstValueNode | None = None
    description: str | None = None
    deprecation_reason: str | None = None
    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)


@dataclass
class Field:
    name: str
    type: str
    description: str | None = None
    arguments: dict[str, Argument] = field(default_factory=dict)
    deprecation_reason: str | None = None
    default: ast.ConstValueNode | None = None  # input object fields only
    sources: dict[str, FieldSource] = field(default_factory=dict)
    # Fields an implementation gets from an @interfaceObject: a bare ``@join__field``.
    from_interface_object: bool = False
    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    # Every other printed application (@tag, @deprecated, @cost, composed...) in Apollo's order.
    carried: list[str] = field(default_factory=list)


@dataclass
class EnumValue:
    name: str
    graphs: list[str] = field(default_factory=list)
    description: str | None = None
    deprecation_reason: str | None = None
    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)


@dataclass
class MergedType:
    name: str
    kind: TypeKind
    description: str | None = None
    sources: dict[str, TypeSource] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    # interface name -> graphs declaring the implementation (``@join__implements``)
    implements: dict[str, list[str]] = field(default_factory=dict)
    # member name -> graphs declaring the membership (``@join__unionMember``)
    members: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, EnumValue] = field(default_factory=dict)
    specified_by_url: str | None = None
    contexts: list[str] = field(default_factory=list)  # supergraph @context names
    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)


@dataclass
class Supergraph:
    """Every merged type plus what the printer needs to know about the subgraphs."""

    graphs: list[tuple[str, str]]  # (subgraph name, url) in composition order
    types: dict[str, MergedType]
    federation_version: tuple[int, int]
    tag_directive_name: str = "tag"
    inaccessible_directive_name: str = "inaccessible"
    # @composeDirective: printed definitions by name, and the @link of each composed spec.
    composed_definitions: dict[str, str] = field(default_factory=dict)
    composed_links: list[str] = field(default_factory=list)
    # Carried directive (cost, listSize, authenticated...) -> its name in the supergraph.
    carried_names: dict[str, str] = field(default_factory=dict)

    @property
    def uses_tag(self) -> bool:
        return any(_has_tags(merged) for merged in self.types.values())

    def carried_applications(self) -> list[str]:
        applications: list[str] = []
        for merged in self.types.values():
            applications += merged.carried
            for merged_field in merged.fields.values():
                applications += merged_field.carried
                for argument in merged_field.arguments.values():
                    applications += argument.carried
            for value in merged.values.values():
                applications += value.carried
        return applications

    @property
    def uses_context(self) -> bool:
        return any(merged.contexts for merged in self.types.values())

    @property
    def uses_inaccessible(self) -> bool:
        return any(_has_inaccessible(merged) for merged in self.types.values())


def _has_tags(merged: MergedType) -> bool:
    return bool(
        merged.tags
        or any(f.tags or any(a.tags for a in f.arguments.values()) for f in merged.fields.values())
        or any(value.tags for value in merged.values.values())
    )


def _has_inaccessible(merged: MergedType) -> bool:
    return (
        merged.inaccessible
        or any(
            f.inaccessible or any(a.inaccessible for a in f.arguments.values())
            for f in merged.fields.values()
        )
        or any(value.inaccessible for value in merged.values.values())
    )
