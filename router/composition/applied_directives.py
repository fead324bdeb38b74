"""The directives a merged element carries besides @inaccessible and join: in Apollo's order.

@apollo/composition applies them in order of first appearance across the subgraphs (in
composition order, then as written), except that a field's authorization directives come
first. Each directive merges by its own rule: @tag keeps every distinct name, @deprecated the
first reason, @cost/@listSize/authorization as in ``carried_directives``, and a composed custom
directive keeps every distinct application when repeatable, else the most common one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import print_ast
from graphql.language.print_string import print_string

from router.composition.carried_directives import CARRIED_DIRECTIVES, merge_carried, renamed
from router.composition.element_metadata import first_deprecation, merged_tags
from router.composition.federation_spec import namespaced
from router.composition.subgraph import all_directives

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

    def merge(self, elements: list[Any], *, authorization_first: bool = False) -> list[str]:
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
            printed += self._merge_one(name, elements)
        return printed

    def _merge_one(self, name: str, elements: list[Any]) -> list[str]:
        if name == "tag":
            tags = merged_tags(elements)
            return [f"@{self.tag_name}(name: {print_string(tag)})" for tag in tags]
        if name == "deprecated":
            return _deprecation(first_deprecation(elements))
        if name == "specifiedBy":
            urls = [e.specified_by_url for e in elements if getattr(e, "specified_by_url", None)]
            return [f"@specifiedBy(url: {print_string(urls[0])})"] if urls else []
        if name in self.composed:
            return _merge_composed(name, elements, repeatable=self.composed[name])
        supergraph_name = self.carried_names.get(name, name)
        return [
            renamed(printed, name, supergraph_name) for printed in merge_carried(name, elements)
        ]


def _merge_composed(name: str, elements: list[Any], *, repeatable: bool) -> list[str]:
    counts: dict[str, int] = {}
    for element in elements:
        for node in all_directives(element):
            if node.name.value == name:
                printed = print_ast(node)
                counts[printed] = counts.get(printed, 0) + 1
    if repeatable or not counts:
        return list(counts)
    return [max(counts, key=lambda printed: counts[printed])]


def _deprecation(reason: str | None) -> list[str]:
    if reason is None:
        return []
    if reason == "No longer supported":
        return ["@deprecated"]
    return [f"@deprecated(reason: {print_string(reason)})"]
