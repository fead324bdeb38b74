"""Federation 2 composition: subgraph SDLs -> Apollo Federation 2 supergraph SDL.

An offline tool (``ehb compose``); the serving path never imports it. Every problem is collected
as a :class:`CompositionError` with a stable Apollo-compatible code instead of stopping at the
first one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from graphql import GraphQLError, build_ast_schema, parse, validate_schema

from router.composition.federation_spec import graph_enum_value
from router.composition.merge import merge_subgraphs
from router.composition.printer import print_supergraph
from router.composition.results import (
    CompositionError,
    CompositionResult,
    Diagnostics,
    SubgraphSource,
)
from router.composition.satisfiability import check_satisfiability
from router.composition.subgraph import Subgraph, load_subgraph
from router.composition.validate_inaccessible import validate_inaccessible
from router.composition.validate_merged import validate_merged
from router.composition.validate_subgraph import (
    check_merged_directives_on_externals,
    provided_coordinates,
    validate_subgraph,
)

__all__ = ["CompositionError", "CompositionResult", "SubgraphSource", "compose"]

_SUBGRAPH_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def compose(subgraphs: Sequence[SubgraphSource]) -> CompositionResult:
    """Compose the subgraphs; ``supergraph_sdl`` is None when any error was found."""
    diagnostics = Diagnostics()
    _check_names(subgraphs, diagnostics)
    loaded: list[Subgraph] = []
    # Like @apollo/composition, subgraphs are processed (and join__Graph listed) by name.
    for source in sorted(subgraphs, key=lambda source: source.name):
        subgraph = load_subgraph(source, diagnostics)
        if subgraph is not None:
            validate_subgraph(subgraph, diagnostics)
            loaded.append(subgraph)
    if diagnostics.errors or not loaded:
        if not loaded and not diagnostics.errors:
            diagnostics.error("NO_QUERIES", "No subgraphs to compose: give at least one subgraph.")
        return _result(None, diagnostics)
    for subgraph in loaded:
        check_merged_directives_on_externals(subgraph, diagnostics)
    supergraph = merge_subgraphs(loaded, diagnostics)
    validate_merged(supergraph, {s.name: provided_coordinates(s) for s in loaded}, diagnostics)
    validate_inaccessible(supergraph, diagnostics)
    if diagnostics.errors:
        return _result(None, diagnostics)
    check_satisfiability(supergraph, diagnostics)
    if diagnostics.errors:
        return _result(None, diagnostics)
    supergraph_sdl = print_supergraph(supergraph)
    _check_printed_schema(supergraph_sdl, diagnostics)
    return _result(None if diagnostics.errors else supergraph_sdl, diagnostics)


def _check_printed_schema(supergraph_sdl: str, diagnostics: Diagnostics) -> None:
    """A last safety net: whatever the rules above missed, never emit an invalid schema."""
    try:
        problems = validate_schema(build_ast_schema(parse(supergraph_sdl)))
    except (GraphQLError, TypeError) as error:
        problems = [GraphQLError(str(error))]
    for problem in problems:
        diagnostics.error(
            "INVALID_GRAPHQL",
            f"The composed supergraph is not a valid GraphQL schema: {problem.message}",
        )


def _check_names(subgraphs: Sequence[SubgraphSource], diagnostics: Diagnostics) -> None:
    seen: dict[str, str] = {}
    for source in subgraphs:
        if not source.name or not _SUBGRAPH_NAME.match(source.name):
            diagnostics.error(
                "INVALID_SUBGRAPH_NAME",
                f"Invalid subgraph name {source.name!r} (url {source.url!r}): a subgraph name must "
                "be a non-empty word of letters, digits, '_' or '-' starting with a letter.",
                subgraph=source.name or None,
            )
            continue
        enum_value = graph_enum_value(source.name)
        if enum_value in seen:
            diagnostics.error(
                "INVALID_SUBGRAPH_NAME",
                f'Subgraph name "{source.name}" is used more than once (or clashes with '
                f'"{seen[enum_value]}" as join__Graph value {enum_value}): give every subgraph '
                "a distinct name.",
                subgraph=source.name,
            )
        seen[enum_value] = source.name


def _result(supergraph_sdl: str | None, diagnostics: Diagnostics) -> CompositionResult:
    return CompositionResult(
        supergraph_sdl=supergraph_sdl,
        errors=tuple(diagnostics.errors),
        hints=tuple(diagnostics.hints),
    )
