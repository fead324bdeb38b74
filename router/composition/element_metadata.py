"""Metadata every merged element shares: description, deprecation, @tag and @inaccessible."""

from __future__ import annotations

from typing import Any

from router.composition.subgraph import directive_arguments, directives, has_directive


def common_description(elements: list[Any]) -> str | None:
    """The description most subgraphs give (the first of equally common ones), like Apollo."""
    counts: dict[str, int] = {}
    for element in elements:
        description = getattr(element, "description", None)
        if description:
            counts[str(description)] = counts.get(str(description), 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda description: counts[description])


def first_deprecation(elements: list[Any]) -> str | None:
    for element in elements:
        reason = getattr(element, "deprecation_reason", None)
        if reason is not None:
            return str(reason)
    return None


def merged_tags(elements: list[Any]) -> list[str]:
    tags: list[str] = []
    for element in elements:
        for node in directives(element, "tag"):
            name = str(directive_arguments(node).get("name", ""))
            if name not in tags:
                tags.append(name)
    return tags


def any_inaccessible(elements: list[Any]) -> bool:
    return any(has_directive(element, "inaccessible") for element in elements)
