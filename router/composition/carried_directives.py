"""Federation directives the supergraph carries to the router: authorization and demand control.

``@authenticated`` holds if any subgraph says so; ``@requiresScopes``/``@policy`` requirements of
several subgraphs must all hold, so their alternatives are combined pairwise (as Apollo does);
``@cost`` keeps the highest weight and ``@listSize`` the first definition.
"""

from __future__ import annotations

from typing import Any

from graphql.language.print_string import print_string

from router.composition.results import Diagnostics
from router.composition.subgraph import Subgraph, directive_arguments, directives
from router.composition.wording import subgraph_list

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
    applications = _distinct_applications(elements, name)
    if len(applications) <= 1:
        return ["@listSize" + _print_arguments(a) for a in applications]
    # Apollo's strategies: NULLABLE_MAX, NULLABLE_UNION (twice), NULLABLE_AND.
    merged: dict[str, Any] = {}
    sizes = [a["assumedSize"] for a in applications if a.get("assumedSize") is not None]
    if sizes:
        merged["assumedSize"] = max(sizes)
    for argument in ("slicingArguments", "sizedFields"):
        lists = [a[argument] for a in applications if a.get(argument) is not None]
        if lists:
            merged[argument] = list(dict.fromkeys(item for items in lists for item in items))
    merged["requireOneSlicingArgument"] = all(
        a.get("requireOneSlicingArgument") is not False for a in applications
    )
    return ["@listSize" + _print_arguments(merged)]


# How Apollo merges differing applications of a carried directive (shown in its hint).
MERGE_STRATEGIES = {
    "cost": '{ "weight": MAX }',
    "listSize": '{ "assumedSize": NULLABLE_MAX, "slicingArguments": NULLABLE_UNION, '
    '"sizedFields": NULLABLE_UNION, "requireOneSlicingArgument": NULLABLE_AND }',
    "requiresScopes": '{ "scopes": DNF_CONJUNCTION }',
    "policy": '{ "policies": DNF_CONJUNCTION }',
}


def merged_differing(name: str, elements: list[Any]) -> bool:
    """Several subgraphs apply the directive with different arguments: Apollo merges them
    (with the MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS hint)."""
    return name in MERGE_STRATEGIES and len(_distinct_applications(elements, name)) > 1


def _distinct_applications(elements: list[Any], name: str) -> list[dict[str, Any]]:
    """The element's applications' arguments as written, one per distinct value (defaults
    counted, as Apollo compares them)."""
    defaults = {"requireOneSlicingArgument": True} if name == "listSize" else {}
    seen: list[dict[str, Any]] = []
    distinct: list[dict[str, Any]] = []
    for element in elements:
        for node in directives(element, name):
            arguments = directive_arguments(node)
            with_defaults = {**defaults, **arguments}
            if with_defaults not in seen:
                seen.append(with_defaults)
                distinct.append(arguments)
    return distinct


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


def supergraph_names(subgraphs: list[Subgraph], diagnostics: Diagnostics) -> dict[str, str]:
    """Each carried directive some subgraph applies -> its name in the supergraph.

    Like @apollo/composition: the name the first subgraph applying it uses (``@cost`` imported
    as ``@weight`` stays ``@weight``), the same in every subgraph or LINK_IMPORT_NAME_MISMATCH.
    """
    names: dict[str, str] = {}
    for name in CARRIED_DIRECTIVES:
        by_local: dict[str, list[str]] = {}
        for subgraph in subgraphs:
            if name in subgraph.applied_names:
                by_local.setdefault(subgraph.applied_names[name], []).append(subgraph.name)
        if not by_local:
            continue
        first, *others = by_local
        names[name] = first
        if others:
            # Apollo names the first subgraph that disagrees, then the rest in order.
            second = by_local[others[0]][0]
            local_in_second = others[0]
            distribution = [f'"@{local_in_second}" in {subgraph_list(by_local[local_in_second])}']
            distribution += [
                f'"@{local}" in {subgraph_list(graphs)}'
                for local, graphs in by_local.items()
                if local != local_in_second
            ]
            spec = max(s.federation_version for s in subgraphs if name in s.applied_names)
            diagnostics.error(
                "LINK_IMPORT_NAME_MISMATCH",
                f'The "@{name}" directive (from https://specs.apollo.dev/federation/'
                f"v{spec[0]}.{spec[1]}) is imported with mismatched name between subgraphs: it "
                "is imported as " + distribution[0] + " but " + " and ".join(distribution[1:]),
                subgraph=second,
            )
    return names


def renamed(printed_application: str, name: str, supergraph_name: str) -> str:
    """``@cost(weight: 1)`` printed under the supergraph's name for the directive."""
    return "@" + supergraph_name + printed_application[len(name) + 1 :]


def used_features(printed_applications: list[str], names: dict[str, str]) -> list[str]:
    """Which carried directives appear among printed applications, in spec order."""
    used = []
    for name in CARRIED_DIRECTIVES:
        local = names.get(name, name)
        if any(
            application.startswith(f"@{local}")
            and (len(application) == len(local) + 1 or application[len(local) + 1] == "(")
            for application in printed_applications
        ):
            used.append(name)
    return used
