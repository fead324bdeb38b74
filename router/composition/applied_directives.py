"""The directives a merged element carries besides @inaccessible and join: in Apollo's order.

@apollo/composition applies them in order of first appearance across the subgraphs (in
composition order, then as written), except that a field's authorization directives come
first. Each directive merges by its own rule: @tag keeps every distinct name, @deprecated the
first reason, @cost/@listSize/authorization as in ``carried_directives``, and a composed custom
directive keeps every distinct application when repeatable, else the most common one (with the
INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS hint). A composed directive reaches an element
only when a subgraph composing it applies it there; then, like Apollo, the applications of
subgraphs that define it without composing it count too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import print_ast
from graphql.language import ast
from graphql.language.print_string import print_string

from router.composition.carried_directives import (
    CARRIED_DIRECTIVES,
    MERGE_STRATEGIES,
    merge_carried,
    merged_differing,
    renamed,
)
from router.composition.element_metadata import first_deprecation, merged_tags
from router.composition.federation_spec import namespaced
from router.composition.results import Diagnostics
from router.composition.subgraph import UNCOMPOSED_PREFIX, all_directives
from router.composition.wording import subgraph_list

AUTHORIZATION = ("authenticated", "requiresScopes", "policy")
_KNOWN: dict[str, str] = {namespaced(name): name for name in (*CARRIED_DIRECTIVES, "tag")}
_KNOWN.update({"deprecated": "deprecated", "specifiedBy": "specifiedBy"})


@dataclass(frozen=True)
class AppliedDirectiveRules:
    """How to merge applications: the supergraph's @tag name and the composed directives
    (name -> repeatable)."""

    tag_name: str = "tag"
    composed: Mapping[str, bool] = field(default_factory=dict)
    # Carried directive -> its supergraph name when a subgraph renamed it (see carried_directives)
    carried_names: Mapping[str, str] = field(default_factory=dict)
    # Where hints go (None: no hints).
    diagnostics: Diagnostics | None = None

    def merge(
        self,
        elements: list[Any],
        *,
        authorization_first: bool = False,
        coordinate: str | None = None,
        graphs: Sequence[str] = (),
    ) -> list[str]:
        """The printed applications of the supergraph element merged from ``elements``; with
        ``coordinate`` and the ``graphs`` defining each element, hints name the element."""
        order: list[str] = []
        for element in elements:
            for node in all_directives(element):
                name = _KNOWN.get(node.name.value)
                if name is None and node.name.value in self.composed:
                    name = node.name.value
                if name is not None and name not in order:
                    order.append(name)
        if authorization_first:
            first = [name for name in AUTHORIZATION if name in order]
            order = first + [name for name in order if name not in first]
        printed: list[str] = []
        for name in order:
            if name in self.composed:
                printed += self._merge_composed(name, elements, coordinate, graphs)
            else:
                printed += self._merge_one(name, elements, coordinate)
        return printed

    def _merge_one(self, name: str, elements: list[Any], coordinate: str | None) -> list[str]:
        if name == "tag":
            tags = merged_tags(elements)
            return [f"@{self.tag_name}(name: {print_string(tag)})" for tag in tags]
        if name == "deprecated":
            return _deprecation(first_deprecation(elements))
        if name == "specifiedBy":
            urls = [e.specified_by_url for e in elements if getattr(e, "specified_by_url", None)]
            return [f"@specifiedBy(url: {print_string(urls[0])})"] if urls else []
        supergraph_name = self.carried_names.get(name, name)
        if self.diagnostics is not None and coordinate and merged_differing(name, elements):
            self.diagnostics.hint(
                "MERGED_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
                f'Directive @{supergraph_name} is applied to "{coordinate}" in multiple subgraphs '
                "with different arguments. Merging strategies used by arguments: "
                + MERGE_STRATEGIES[name],
                coordinate=coordinate,
            )
        return [
            renamed(printed, name, supergraph_name) for printed in merge_carried(name, elements)
        ]

    def _merge_composed(
        self, name: str, elements: list[Any], coordinate: str | None, graphs: Sequence[str]
    ) -> list[str]:
        applied = [_applications(name, element) for element in elements]
        counts: dict[str, int] = {}
        for applications in applied:
            for application, _ in applications:
                counts[application] = counts.get(application, 0) + 1
        if self.composed[name] or len(counts) <= 1:
            return list(counts)
        chosen = max(counts, key=lambda application: counts[application])
        if self.diagnostics is not None and coordinate is not None:
            hint = _inconsistent_arguments(name, coordinate, chosen, applied, graphs)
            self.diagnostics.hint(
                "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS", hint, coordinate=coordinate
            )
        return [chosen]


def _applications(name: str, element: Any) -> list[tuple[str, ast.DirectiveNode]]:
    """The element's applications of composed directive ``name``, printed under that name
    (a subgraph that does not compose it has them under UNCOMPOSED_PREFIX)."""
    return [
        (print_ast(replace(node, name=ast.NameNode(value=name))), node)
        for node in all_directives(element)
        if node.name.value in (name, UNCOMPOSED_PREFIX + name)
    ]


def _inconsistent_arguments(
    name: str,
    coordinate: str,
    chosen: str,
    applied: list[list[tuple[str, ast.DirectiveNode]]],
    graphs: Sequence[str],
) -> str:
    """Apollo's wording, down to the empty description of a subgraph that defines the element
    without applying the directive."""
    by_application: dict[str, list[str]] = {}
    nodes: dict[str, ast.DirectiveNode] = {}
    for graph, applications in zip(graphs, applied, strict=True):
        application, node = applications[-1] if applications else ("", None)
        by_application.setdefault(application, []).append(graph)
        if node is not None:
            nodes[application] = node

    def described(application: str) -> str:
        if not application:
            return ""
        arguments = nodes[application].arguments or ()
        if not arguments:
            return "no arguments"
        return "arguments {" + ", ".join(_argument_text(a) for a in arguments) + "}"

    others = [
        f"{described(application)} in {subgraph_list(graphs)}"
        for application, graphs in by_application.items()
        if application != chosen
    ]
    return (
        f'Non-repeatable directive @{name} is applied to "{coordinate}" in multiple subgraphs '
        f"but with incompatible arguments. The supergraph will use {described(chosen)} (from "
        f"{subgraph_list(by_application[chosen])}), but found " + " and ".join(others) + "."
    )


def _argument_text(argument: ast.ArgumentNode | ast.ObjectFieldNode) -> str:
    return f"{argument.name.value}: {_value_text(argument.value)}"


def _value_text(value: ast.ValueNode) -> str:
    """A value as Apollo's valueToString writes it (``{x: 1}``, not ``{ x: 1 }``)."""
    if isinstance(value, ast.ObjectValueNode):
        return "{" + ", ".join(_argument_text(item) for item in value.fields) + "}"
    if isinstance(value, ast.ListValueNode):
        return "[" + ", ".join(_value_text(item) for item in value.values) + "]"
    return print_ast(value)


def _deprecation(reason: str | None) -> list[str]:
    if reason is None:
        return []
    if reason == "No longer supported":
        return ["@deprecated"]
    return [f"@deprecated(reason: {print_string(reason)})"]
