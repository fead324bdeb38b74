"""Federation directives the supergraph carries to the router: authorization and demand control.

``@authenticated`` holds if any subgraph says so; ``@requiresScopes``/``@policy`` requirements of
several subgraphs must all hold, so their alternatives are combined pairwise (as Apollo does);
``@cost`` keeps the highest weight and ``@listSize`` the first definition.
"""

from __future__ import annotations

from typing import Any

from graphql.language.print_string import print_string

from router.composition.subgraph import directive_arguments, directives

CARRIED_DIRECTIVES = ("authenticated", "requiresScopes", "policy", "cost", "listSize")
SPEC_URLS = {
    "authenticated": ("https://specs.apollo.dev/authenticated/v0.1", ", for: SECURITY"),
    "requiresScopes": ("https://specs.apollo.dev/requiresScopes/v0.1", ", for: SECURITY"),
    "policy": ("https://specs.apollo.dev/policy/v0.1", ", for: SECURITY"),
}
COST_SPEC_URL = "https://specs.apollo.dev/cost/v0.1"

_AUTH_LOCATIONS = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
DEFINITIONS = {
    "authenticated": f"directive @authenticated on {_AUTH_LOCATIONS}",
    "requiresScopes": "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on "
    + _AUTH_LOCATIONS,
    "policy": f"directive @policy(policies: [[policy__Policy!]!]!) on {_AUTH_LOCATIONS}",
    "cost": "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION"
    " | INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
    "listSize": "directive @listSize(assumedSize: Int, slicingArguments: [String!],"
    " sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
}
TYPE_DEFINITIONS = {
    "requiresScopes": ("requiresScopes__Scope", "scalar requiresScopes__Scope"),
    "policy": ("policy__Policy", "scalar policy__Policy"),
}


def merge_carried(name: str, elements: list[Any]) -> list[str]:
    """The printed applications of carried directive ``name`` the supergraph element gets."""
    if name == "authenticated":
        return ["@authenticated"] if any(directives(e, name) for e in elements) else []
    if name in ("requiresScopes", "policy"):
        argument = "scopes" if name == "requiresScopes" else "policies"
        requirement = _combined_requirement(elements, name, argument)
        if requirement is None:
            return []
        return [f"@{name}({argument}: {_print_requirement(requirement)})"]
    if name == "cost":
        weights = [
            int(directive_arguments(node)["weight"])
            for element in elements
            for node in directives(element, "cost")
        ]
        return [f"@cost(weight: {max(weights)})"] if weights else []
    for element in elements:
        for node in directives(element, "listSize"):
            return ["@listSize" + _print_arguments(directive_arguments(node))]
    return []


def _combined_requirement(elements: list[Any], name: str, argument: str) -> list[list[str]] | None:
    combined: list[list[str]] | None = None
    for element in elements:
        for node in directives(element, name):
            alternatives = [
                list(dict.fromkeys(str(item) for item in conjunction))
                for conjunction in directive_arguments(node).get(argument) or []
            ]
            if combined is None:
                combined = alternatives
                continue
            merged = {
                frozenset(left) | frozenset(right) for left in combined for right in alternatives
            }
            # A conjunction that includes another is redundant in this OR of ANDs.
            minimal = [c for c in merged if not any(other < c for other in merged)]
            combined = sorted((sorted(c) for c in minimal), key=lambda c: (len(c), c))
    return combined


def _print_requirement(requirement: list[list[str]]) -> str:
    return (
        "["
        + ", ".join(
            "[" + ", ".join(print_string(item) for item in group) + "]" for group in requirement
        )
        + "]"
    )


def _print_arguments(arguments: dict[str, Any]) -> str:
    if not arguments:
        return ""
    return (
        "(" + ", ".join(f"{key}: {_print_value(value)}" for key, value in arguments.items()) + ")"
    )


def _print_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return print_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_print_value(item) for item in value) + "]"
    if value is None:
        return "null"
    return str(value)


def used_features(printed_applications: list[str]) -> list[str]:
    """Which carried directives appear among printed applications, in spec order."""
    return [
        name
        for name in CARRIED_DIRECTIVES
        if any(
            application.startswith(f"@{name}")
            and (len(application) == len(name) + 1 or application[len(name) + 1] == "(")
            for application in printed_applications
        )
    ]
