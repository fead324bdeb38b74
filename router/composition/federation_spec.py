"""The Federation 2 subgraph vocabulary: directive definitions, versions and internal names.

Subgraph SDLs are normalised so that every federation directive and type carries its
namespaced name (``@federation__key``, ``federation__FieldSet``) whatever the subgraph imported
or renamed; the definitions below are then added so that graphql-core can validate the SDL.
"""

from __future__ import annotations

import re

FEDERATION_SPEC_URL_PATTERN = re.compile(
    r"^https?://specs\.apollo\.dev/federation/v(?P<major>\d+)\.(?P<minor>\d+)/?$"
)

NAMESPACE = "federation"

# Each federation directive with the first federation version that defines it.
DIRECTIVE_MINIMUM_VERSIONS: dict[str, tuple[int, int]] = {
    "key": (2, 0),
    "requires": (2, 0),
    "provides": (2, 0),
    "external": (2, 0),
    "extends": (2, 0),
    "shareable": (2, 0),
    "inaccessible": (2, 0),
    "override": (2, 0),
    "tag": (2, 0),
    "composeDirective": (2, 1),
    "interfaceObject": (2, 3),
    "authenticated": (2, 5),
    "requiresScopes": (2, 5),
    "policy": (2, 6),
    "context": (2, 8),
    "fromContext": (2, 8),
    "cost": (2, 9),
    "listSize": (2, 9),
}
FEDERATION_DIRECTIVES: frozenset[str] = frozenset(DIRECTIVE_MINIMUM_VERSIONS)
FEDERATION_TYPES: frozenset[str] = frozenset({"FieldSet", "Scope", "Policy", "ContextFieldValue"})

# Federation 1 subgraphs have no @link: these directives are known by their bare names.
FEDERATION1_DIRECTIVES: frozenset[str] = frozenset(
    {"key", "requires", "provides", "external", "extends", "tag", "inaccessible"}
)

# Types and root fields every subgraph serves for the router's use only.
SUBGRAPH_INTERNAL_TYPES: frozenset[str] = frozenset(
    {"_Service", "_Entity", "_Any", "_FieldSet", "FieldSet", "link__Import", "link__Purpose"}
)
SUBGRAPH_INTERNAL_QUERY_FIELDS: frozenset[str] = frozenset({"_service", "_entities"})

_ALL_LOCATIONS = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM"
    " | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_AUTH_LOCATIONS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"

FEDERATION_DEFINITIONS_SDL = f"""
scalar federation__FieldSet
scalar federation__Scope
scalar federation__Policy
scalar federation__ContextFieldValue
directive @federation__key(fields: federation__FieldSet!, resolvable: Boolean = true)
  repeatable on OBJECT | INTERFACE
directive @federation__requires(fields: federation__FieldSet!) on FIELD_DEFINITION
directive @federation__provides(fields: federation__FieldSet!) on FIELD_DEFINITION
directive @federation__external(reason: String) on OBJECT | FIELD_DEFINITION
directive @federation__extends on OBJECT | INTERFACE
directive @federation__shareable repeatable on OBJECT | FIELD_DEFINITION
directive @federation__inaccessible on {_ALL_LOCATIONS}
directive @federation__override(from: String!, label: String) on FIELD_DEFINITION
directive @federation__tag(name: String!) repeatable on {_ALL_LOCATIONS} | SCHEMA
directive @federation__interfaceObject on OBJECT
directive @federation__composeDirective(name: String!) repeatable on SCHEMA
directive @federation__authenticated on {_AUTH_LOCATIONS}
directive @federation__requiresScopes(scopes: [[federation__Scope!]!]!) on {_AUTH_LOCATIONS}
directive @federation__policy(policies: [[federation__Policy!]!]!) on {_AUTH_LOCATIONS}
directive @federation__context(name: String!) repeatable on INTERFACE | OBJECT | UNION
directive @federation__fromContext(field: federation__ContextFieldValue)
  on ARGUMENT_DEFINITION
directive @federation__cost(weight: Int!)
  on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @federation__listSize(assumedSize: Int, slicingArguments: [String!],
  sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
"""


def namespaced(name: str) -> str:
    """The normalised name of a federation directive or type (``key`` -> ``federation__key``)."""
    return f"{NAMESPACE}__{name}"


def join_spec_version(federation_version: tuple[int, int]) -> str:
    """The join spec version @apollo/composition emits for the highest subgraph version."""
    if federation_version >= (2, 8):
        return "v0.5"
    if federation_version >= (2, 7):
        return "v0.4"
    return "v0.3"


def graph_enum_value(subgraph_name: str) -> str:
    """The ``join__Graph`` value of a subgraph: its name in UPPER_SNAKE case."""
    upper = re.sub(r"[^A-Za-z0-9_]", "_", subgraph_name).upper()
    return upper if not upper[:1].isdigit() else f"_{upper}"
