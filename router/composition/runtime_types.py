"""Possible runtime types of abstract types per subgraph (for shared abstract fields)."""

from __future__ import annotations

from router.composition.model import Field, Supergraph


def runtime_types_in(supergraph: Supergraph, type_name: str, graph: str) -> list[str]:
    """The object types a subgraph may return for ``type_name`` (itself when an object)."""
    merged = supergraph.types.get(type_name)
    if merged is None:
        return []
    if merged.kind == "union":
        return [member for member, graphs in merged.members.items() if graph in graphs]
    if merged.kind == "interface":
        return [
            implementation.name
            for implementation in supergraph.types.values()
            if graph in implementation.implements.get(type_name, [])
        ]
    return [type_name]


def disjoint_runtime_types(
    supergraph: Supergraph, merged_field: Field, graphs: list[str]
) -> dict[str, list[str]] | None:
    """Per subgraph runtime types of a shared abstract field when no type is common to all.

    Subgraphs resolving the same field must be able to return at least one common runtime type.
    """
    named = merged_field.type.strip("[]!")
    merged = supergraph.types.get(named)
    if len(graphs) < 2 or merged is None or merged.kind not in ("union", "interface"):
        return None
    if any(
        merged.sources.get(graph) and merged.sources[graph].is_interface_object for graph in graphs
    ):
        return None
    by_graph: dict[str, list[str]] = {}
    for graph in graphs:
        # A subgraph may declare a narrower type (an implementation, say) than the supergraph's.
        source = merged_field.sources.get(graph)
        declared = source.type.strip("[]!") if source is not None else named
        by_graph[graph] = runtime_types_in(supergraph, declared, graph)
    common = set.intersection(*(set(types) for types in by_graph.values()))
    return None if common else by_graph
