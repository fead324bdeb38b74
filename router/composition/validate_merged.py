"""Checks that need every subgraph at once: field sharing, @external bases, extension bases."""

from __future__ import annotations

from router.composition.model import MergedType, Supergraph
from router.composition.results import Diagnostics
from router.composition.subgraph import ROOT_TYPE_NAMES
from router.composition.wording import subgraph_list


def validate_merged(
    supergraph: Supergraph,
    provided: dict[str, set[tuple[str, str]]],
    diagnostics: Diagnostics,
) -> None:
    """``provided`` holds, per subgraph, the ``(Type, field)`` its @provides select."""
    for merged in supergraph.types.values():
        if merged.kind not in ("object", "interface"):
            continue
        _check_extension_base(merged, diagnostics)
        _check_interface_fields_implemented(supergraph, merged, diagnostics)
        for field in merged.fields.values():
            if field.from_interface_object:
                continue
            coordinate = f"{merged.name}.{field.name}"
            sources = list(field.sources.values())
            if sources and all(source.external for source in sources):
                diagnostics.error(
                    "EXTERNAL_MISSING_ON_BASE",
                    f'Field "{coordinate}" is marked @external on all the subgraphs in which it '
                    f"is listed ({subgraph_list([s.graph for s in sources])}). Define the field "
                    "without @external in the subgraph that resolves it.",
                    subgraph=sources[0].graph,
                    coordinate=coordinate,
                )
            if merged.kind != "object" or _is_interface_object(merged):
                continue
            resolving = [
                source
                for source in sources
                if not source.used_overridden
                and not source.progressively_overridden
                and (
                    not source.external
                    or (merged.name, field.name) in provided.get(source.graph, set())
                )
            ]
            offenders = [s.graph for s in resolving if not s.shareable and not s.external]
            if len(resolving) > 1 and offenders:
                diagnostics.error(
                    "INVALID_FIELD_SHARING",
                    f'Non-shareable field "{coordinate}" is resolved from multiple subgraphs: it '
                    f"is resolved from {subgraph_list([s.graph for s in resolving])} and defined "
                    f"as non-shareable in {subgraph_list(offenders)}. Mark the field @shareable "
                    "in every subgraph that resolves it, or keep it in one subgraph only (use "
                    "@external or @override in the others).",
                    subgraph=offenders[0],
                    coordinate=coordinate,
                )


def _is_interface_object(merged: MergedType) -> bool:
    return any(source.is_interface_object for source in merged.sources.values())


def _check_extension_base(merged: MergedType, diagnostics: Diagnostics) -> None:
    sources = list(merged.sources.values())
    if merged.name in ROOT_TYPE_NAMES.values() or not all(s.extension for s in sources):
        return
    diagnostics.error(
        "EXTENSION_WITH_NO_BASE",
        f'Type "{merged.name}" is an extension type, but there is no type definition for '
        f'"{merged.name}" in any subgraph ({subgraph_list([s.graph for s in sources])} only '
        "extend it). Define the type (without `extend`) in the subgraph that owns it.",
        subgraph=sources[0].graph,
        coordinate=merged.name,
    )


def _check_interface_fields_implemented(
    supergraph: Supergraph, merged: MergedType, diagnostics: Diagnostics
) -> None:
    for interface_name, graphs in merged.implements.items():
        interface = supergraph.types.get(interface_name)
        if interface is None:
            continue
        for field in interface.fields.values():
            if field.name in merged.fields:
                continue
            declared_in = [g for g in field.sources if g not in graphs] or list(field.sources)
            diagnostics.error(
                "INTERFACE_FIELD_NO_IMPLEM",
                f'Interface field "{interface_name}.{field.name}" is declared in '
                f'{subgraph_list(declared_in)} but type "{merged.name}", which implements '
                f'"{interface_name}" only in {subgraph_list(graphs)} does not have field '
                f'"{field.name}". Add the field to "{merged.name}" (in a subgraph that knows it '
                "implements the interface).",
                subgraph=graphs[0],
                coordinate=f"{merged.name}.{field.name}",
            )
