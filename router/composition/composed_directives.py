"""``@composeDirective``: which custom directives the supergraph keeps, from which spec link.

Each composed directive must be defined in its subgraph, belong to a linked specification that
is not one of Apollo's own, keep one name and one specification everywhere, and every subgraph
that composes a specification must link the same major version. The supergraph links the latest
(highest minor) version, with the directive definition of the subgraph that links it (Apollo's
rules and DIRECTIVE_COMPOSITION_ERROR messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from graphql import print_ast
from graphql.language import ast

from router.composition.results import Diagnostics
from router.composition.spec_links import SpecLink
from router.composition.subgraph import Subgraph

_APOLLO_SPECS = tuple(
    f"https://specs.apollo.dev/{name}"
    for name in ("core", "join", "link", "tag", "inaccessible", "federation")
)


@dataclass(frozen=True)
class _Item:
    subgraph: Subgraph
    link: SpecLink
    name: str  # the name the subgraph uses (and the supergraph keeps)
    name_in_spec: str


@dataclass
class ComposedDirectives:
    """What the printer needs: the kept directives and the @link of each composed spec."""

    # supergraph directive name -> repeatable
    repeatable: dict[str, bool] = field(default_factory=dict)
    # supergraph directive name -> printed definition
    definitions: dict[str, str] = field(default_factory=dict)
    # printed ``@link(...)`` applications, one per composed specification
    links: list[str] = field(default_factory=list)


def compose_directives(subgraphs: list[Subgraph], diagnostics: Diagnostics) -> ComposedDirectives:
    items = [
        item for subgraph in subgraphs for item in _subgraph_items(subgraph, subgraphs, diagnostics)
    ]
    rejected = _inconsistent_names(items, subgraphs, diagnostics)
    composed = ComposedDirectives()
    identities = list(dict.fromkeys(item.link.identity for item in items))
    for identity in identities:
        latest = _latest_link(identity, items, subgraphs, diagnostics)
        if latest is None:
            continue
        subgraph, link = latest
        imports: dict[str, str] = {}
        for item in items:
            if item.link.identity != identity or item.name in rejected:
                continue
            definition = subgraph.schema.get_directive(link.local_name(item.name_in_spec))
            if definition is None or definition.ast_node is None:
                diagnostics.error(
                    "DIRECTIVE_COMPOSITION_ERROR",
                    f'Core feature "{identity}" in subgraph "{subgraph.name}" does not have a '
                    f'directive definition for "@{item.name}"',
                    subgraph=subgraph.name,
                )
                continue
            imports.setdefault(item.name, item.name_in_spec)
            if item.name not in composed.definitions:
                node = replace(definition.ast_node, name=ast.NameNode(value=item.name))
                composed.definitions[item.name] = print_ast(node)
                composed.repeatable[item.name] = definition.is_repeatable
        if imports:
            composed.links.append(_print_link(link.url, imports))
    return composed


def _subgraph_items(
    subgraph: Subgraph, subgraphs: list[Subgraph], diagnostics: Diagnostics
) -> list[_Item]:
    items: list[_Item] = []
    for written in subgraph.composed_names:
        if not written.startswith("@"):
            _error(
                diagnostics,
                subgraph,
                f'Argument to @composeDirective "{written}" in subgraph "{subgraph.name}" must '
                'have a leading "@"',
            )
            continue
        name = written[1:]
        owner = next((link for link in subgraph.spec_links if link.name_in_spec(name)), None)
        apollo_spec = owner is not None and owner.identity in _APOLLO_SPECS
        if subgraph.schema.get_directive(name) is None and not apollo_spec:
            _error(
                diagnostics,
                subgraph,
                "Could not find matching directive definition for argument to "
                f'@composeDirective "@{name}" in subgraph "{subgraph.name}".',
            )
            continue
        if owner is None:
            _error(
                diagnostics,
                subgraph,
                f'Directive "@{name}" in subgraph "{subgraph.name}" cannot be composed because '
                "it is not a member of a core feature",
            )
            continue
        if apollo_spec:
            if owner.name_in_spec(name) in ("tag", "inaccessible"):
                diagnostics.hint(
                    "DIRECTIVE_COMPOSITION_INFO",
                    f'Directive "@{name}" should not be explicitly manually composed since it is '
                    "a federation directive composed by default",
                    subgraph=subgraph.name,
                )
            else:
                _error(
                    diagnostics,
                    subgraph,
                    f'Composing federation directive "{written}" in subgraph "{subgraph.name}" '
                    "is not supported",
                )
            continue
        for federation_name in ("tag", "inaccessible"):
            users = [s.name for s in subgraphs if _federation_name(s, federation_name) == name]
            if users:
                _error(
                    diagnostics,
                    subgraph,
                    f'Directive "@{name}" in subgraph "{subgraph.name}" cannot be composed '
                    "because it conflicts with automatically composed federation directive "
                    f'"@{federation_name}". Conflict exists in subgraph(s): ({",".join(users)})',
                )
                break
        else:
            items.append(_Item(subgraph, owner, name, owner.name_in_spec(name) or name))
    return items


def _inconsistent_names(
    items: list[_Item], subgraphs: list[Subgraph], diagnostics: Diagnostics
) -> set[str]:
    rejected: set[str] = set()
    by_name: dict[str, list[_Item]] = {}
    by_spec_name: dict[str, list[_Item]] = {}
    for item in items:
        by_name.setdefault(item.name, []).append(item)
        by_spec_name.setdefault(item.name_in_spec, []).append(item)
    for name, same in by_name.items():
        if len({item.name_in_spec for item in same}) > 1:
            rejected.add(name)
            diagnostics.error(
                "DIRECTIVE_COMPOSITION_ERROR",
                f'Composed directive "@{name}" does not refer to the same directive in every '
                "subgraph",
            )
        if len({item.link.identity for item in same}) > 1:
            rejected.add(name)
            diagnostics.error(
                "DIRECTIVE_COMPOSITION_ERROR",
                f'Composed directive "@{name}" is not linked by the same core feature in every '
                "subgraph",
            )
    for same in by_spec_name.values():
        names = list(dict.fromkeys(item.name for item in same))
        if len(names) > 1:
            rejected.update(names)
            described = " and ".join(
                f'"@{item.name}" in subgraph "{item.subgraph.name}"' for item in same
            )
            diagnostics.error(
                "DIRECTIVE_COMPOSITION_ERROR",
                f"Composed directive is not named consistently in all subgraphs: {described}",
            )
    return rejected


def _latest_link(
    identity: str, items: list[_Item], subgraphs: list[Subgraph], diagnostics: Diagnostics
) -> tuple[Subgraph, SpecLink] | None:
    """The composing subgraph linking the highest version, if all composing ones agree on the
    major version (a non-composing subgraph with another major version only earns a hint)."""
    composing = {item.subgraph.name for item in items if item.link.identity == identity}
    linked = [
        (subgraph, link)
        for subgraph in subgraphs
        for link in subgraph.spec_links
        if link.identity == identity
    ]
    used = [(s, link) for s, link in linked if s.name in composing]
    if len({link.version[0] for _, link in used}) > 1:
        diagnostics.error(
            "DIRECTIVE_COMPOSITION_ERROR",
            f'Core feature "{identity}" requested to be merged has major version mismatch '
            "across subgraphs",
        )
        return None
    if len({link.version[0] for _, link in linked}) > 1:
        diagnostics.hint(
            "DIRECTIVE_COMPOSITION_INFO",
            f'Non-composed core feature "{identity}" has major version mismatch across subgraphs',
        )
    latest = used[0]
    for candidate in used[1:]:
        if candidate[1].version[1] >= latest[1].version[1]:
            latest = candidate
    return latest


def _federation_name(subgraph: Subgraph, name: str) -> str:
    return subgraph.local_directive_names.get(name, f"federation__{name}")


def _error(diagnostics: Diagnostics, subgraph: Subgraph, message: str) -> None:
    diagnostics.error("DIRECTIVE_COMPOSITION_ERROR", message, subgraph=subgraph.name)


def _print_link(url: str, imports: dict[str, str]) -> str:
    printed = [
        f'"@{name}"' if name == original else f'{{name: "@{original}", as: "@{name}"}}'
        for name, original in imports.items()
    ]
    return f'@link(url: "{url}", import: [{", ".join(printed)}])'
