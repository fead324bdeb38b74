"""Authorization directives of a supergraph: ``@authenticated``, ``@requiresScopes`` and
``@policy`` on fields, object types, interfaces, scalars and enums (specs
https://specs.apollo.dev/authenticated/v0.1, .../requiresScopes/v0.1, .../policy/v0.1, under
whatever names the supergraph's ``@link`` gives them).

Each application becomes one ``Requirement``; an element's requirements must all hold. The
``scopes``/``policies`` argument is an OR of ANDs: ``[["a", "b"], ["c"]]`` holds with both
``a`` and ``b``, or with ``c``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import value_from_ast_untyped
from graphql.language import ast

from router.supergraph.links import LinkedSpec

RequirementKind = Literal["authenticated", "scopes", "policies"]
_SPECS: dict[RequirementKind, tuple[str, str]] = {
    # kind: (spec name, argument)
    "authenticated": ("authenticated", ""),
    "scopes": ("requiresScopes", "scopes"),
    "policies": ("policy", "policies"),
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One applied authorization directive."""

    kind: RequirementKind
    alternatives: tuple[frozenset[str], ...] = ()

    def describe(self) -> str:
        if self.kind == "authenticated":
            return "authentication"
        noun = "scope" if self.kind == "scopes" else "policy"
        options = [" and ".join(sorted(group)) or "(nothing)" for group in self.alternatives]
        if not options:
            return f"a {noun} no caller can have"
        if len(options) == 1:
            plural = "s" if len(self.alternatives[0]) > 1 else ""
            noun = noun if not plural else ("scopes" if noun == "scope" else "policies")
            return f"{noun} {options[0]}"
        return f"{noun} " + " or ".join(f"({option})" for option in options)


Requirements = tuple[Requirement, ...]


@dataclass(frozen=True, slots=True)
class AuthorizationRules:
    """Requirements per named type and per ``(type, field)``; empty for most supergraphs."""

    types: Mapping[str, Requirements] = field(default_factory=dict)
    fields: Mapping[tuple[str, str], Requirements] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.types or self.fields)

    def of_type(self, name: str) -> Requirements:
        return self.types.get(name, ())

    def of_field(self, type_name: str, field_name: str) -> Requirements:
        return self.fields.get((type_name, field_name), ())

    @property
    def policy_names(self) -> frozenset[str]:
        every = [*self.types.values(), *self.fields.values()]
        return frozenset(
            name
            for requirements in every
            for requirement in requirements
            if requirement.kind == "policies"
            for group in requirement.alternatives
            for name in group
        )


_TYPE_NODES = (
    ast.ObjectTypeDefinitionNode,
    ast.ObjectTypeExtensionNode,
    ast.InterfaceTypeDefinitionNode,
    ast.InterfaceTypeExtensionNode,
    ast.ScalarTypeDefinitionNode,
    ast.ScalarTypeExtensionNode,
    ast.EnumTypeDefinitionNode,
    ast.EnumTypeExtensionNode,
)


def read_authorization(
    document: ast.DocumentNode, links: Iterable[LinkedSpec]
) -> AuthorizationRules:
    names = _directive_names(links)
    types: dict[str, Requirements] = {}
    fields: dict[tuple[str, str], Requirements] = {}
    for definition in document.definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        type_name = definition.name.value
        found = _requirements(definition.directives or (), names)
        if found:
            types[type_name] = types.get(type_name, ()) + found
        for field_node in getattr(definition, "fields", None) or ():
            found = _requirements(field_node.directives or (), names)
            if found:
                key = (type_name, field_node.name.value)
                fields[key] = fields.get(key, ()) + found
    return AuthorizationRules(types, fields)


def _directive_names(links: Iterable[LinkedSpec]) -> dict[str, RequirementKind]:
    by_spec = {link.name: link for link in links}
    names: dict[str, RequirementKind] = {}
    for kind, (spec, _) in _SPECS.items():
        link = by_spec.get(spec)
        names[link.directive_name(spec) if link else spec] = kind
    return names


def _requirements(
    directives: Iterable[ast.DirectiveNode], names: Mapping[str, RequirementKind]
) -> Requirements:
    found: list[Requirement] = []
    for directive in directives:
        kind = names.get(directive.name.value)
        if kind is None:
            continue
        if kind == "authenticated":
            found.append(Requirement("authenticated"))
            continue
        argument = _SPECS[kind][1]
        raw: Any = next(
            (
                value_from_ast_untyped(node.value)
                for node in directive.arguments or ()
                if node.name.value == argument
            ),
            [],
        )
        groups = raw if isinstance(raw, list) else [raw]
        found.append(
            Requirement(
                kind,
                tuple(
                    frozenset(str(item) for item in (group if isinstance(group, list) else [group]))
                    for group in groups
                ),
            )
        )
    return tuple(found)
