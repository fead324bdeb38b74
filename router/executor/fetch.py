"""Run one fetch node: send it, merge its data into the response, pass its errors on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from router.errors import SubgraphUnavailable
from router.executor.collect_codegen import compiled_collect
from router.executor.merge import apply_renames, deep_merge, renamed_path
from router.executor.merge_codegen import compiled_merge
from router.executor.representations import (
    EntityBatch,
    collect_contextual_entities,
    locate,
)
from router.executor.shape_early import EarlyShaping
from router.planner.aliases import Renames
from router.planner.context import SHADOW_PREFIX
from router.planner.nodes import FetchNode, FlattenNode
from router.planner.selection import SubField, SubFragment, SubSelection
from router.types import RequestContext, SubgraphFetcher, SubgraphRequest


class ExecutionState:
    """The response being built while a plan runs."""

    __slots__ = ("context", "data", "early", "errors", "explained", "fetcher", "variables")

    def __init__(
        self,
        fetcher: SubgraphFetcher,
        variables: Mapping[str, Any],
        context: RequestContext,
    ) -> None:
        self.fetcher = fetcher
        self.variables = variables
        self.context = context
        self.data: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []
        # Response paths whose missing data a subgraph error already explains.
        self.explained: list[list[str | int]] = []
        # Parts of the answer shaped as their fetches complete (router.executor.shape_early).
        self.early: EarlyShaping | None = None


def _request_variables(node: FetchNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    return {name: variables[name] for name in node.variable_usages if name in variables}


async def _send(
    state: ExecutionState,
    node: FetchNode,
    variables: dict[str, Any],
    operation: str | None = None,
    error_paths: Callable[[], list[list[str | int]]] | None = None,
) -> dict[str, Any] | None:
    """The subgraph's answer, or None after recording why there is none: a failed fetch is
    reported at every response path it was to fill (``error_paths``): each root field of a
    root fetch, each object an entity fetch was to complete."""
    request = SubgraphRequest(
        operation or node.operation,
        variables,
        node.operation_name,
        operation_kind=node.operation_kind,
    )
    try:
        response = await state.fetcher(node.service, request, state.context)
    except SubgraphUnavailable as error:
        extensions = {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": node.service}
        paths = error_paths() if error_paths is not None else []
        if not paths:
            state.errors.append({"message": str(error), "extensions": extensions})
        for path in paths:
            state.errors.append({"message": str(error), "path": path, "extensions": extensions})
        return None
    if not isinstance(response, dict):
        state.errors.append(_invalid_response(node.service, "the response is not a JSON object"))
        return None
    return response


def _invalid_response(service: str, reason: str) -> dict[str, Any]:
    return {
        "message": f"subgraph '{service}' returned an invalid response: {reason}",
        "extensions": {"code": "SUBGRAPH_INVALID_RESPONSE", "serviceName": service},
    }


def client_path(path: list[Any]) -> list[str | int]:
    return [
        element[len(SHADOW_PREFIX) :]
        if isinstance(element, str) and element.startswith(SHADOW_PREFIX)
        else element
        for element in path
    ]


# Per ``_entities`` response key, per representation: the client path of each object it answered
# for, with what the fetch was to bring that object (None: everything it answers).
EntityPaths = dict[str, list[list[tuple[list[str | int], list[SubSelection] | None]]]]


def _selects(selection: SubSelection, key: str) -> bool:
    """Whether ``selection`` (its fragments included) has a field under response ``key``."""
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            if _selects(item.selection, key):
                return True
        elif item.key == key:
            return True
    return False


def _pass_on(
    state: ExecutionState,
    service: str,
    errors: Any,
    entity_paths: EntityPaths | None,
    renames: Renames | None = None,
) -> None:
    """Subgraph errors with ``serviceName`` and client paths. An error under an ``_entities``
    field (keyed by its response key) is reported at the path of every object its
    (deduplicated) representation stood for."""
    if not isinstance(errors, list):
        return
    for error in errors:
        if not isinstance(error, dict):
            continue
        extensions = dict(error.get("extensions") or {})
        extensions["serviceName"] = service
        message = error.get("message", "subgraph error")
        path = error.get("path")
        paths: list[list[str | int]] = []
        if isinstance(path, list) and path:
            if entity_paths is None:
                paths = [client_path(renamed_path(path, renames))]
            elif len(path) > 1 and isinstance(path[1], int):
                found = entity_paths.get(path[0]) if isinstance(path[0], str) else None
                if found is not None and 0 <= path[1] < len(found):
                    rest = renamed_path(path[2:], renames)
                    # A fetch serving several paths brings each object what any of them selects;
                    # an error in a field its own path did not select is not about that object.
                    paths = [
                        client_path(base + rest)
                        for base, selections in found[path[1]]
                        if selections is None
                        or not rest
                        or not isinstance(rest[0], str)
                        or any(_selects(selection, rest[0]) for selection in selections)
                    ]
                    if found[path[1]] and not paths:
                        continue
        if not paths:
            state.errors.append({"message": message, "extensions": extensions})
        for client in paths:
            state.errors.append({"message": message, "path": client, "extensions": extensions})


async def run_root_fetch(state: ExecutionState, node: FetchNode) -> None:
    response = await _send(
        state,
        node,
        _request_variables(node, state.variables),
        error_paths=lambda: [
            client_path(renamed_path([key], node.renames)) for key in _root_keys(node)
        ],
    )
    if response is None:
        return
    merge_root_response(state, node, response)


def merge_root_response(state: ExecutionState, node: FetchNode, response: dict[str, Any]) -> None:
    """Merge a root fetch's answer (or one event of a subscription) into the response."""
    data = response.get("data")
    errors = response.get("errors")
    if isinstance(data, dict):
        if node.renames is not None:
            apply_renames(data, node.renames)
        deep_merge(state.data, data)
    elif not errors:
        state.errors.append(_invalid_response(node.service, "no data and no errors"))
    else:
        # The subgraph nulled its whole answer (an error bubbled to its root): every root
        # field of this fetch is null because of the errors passed on below.
        state.explained.extend(client_path([key]) for key in _root_keys(node))
    _pass_on(state, node.service, errors, None, node.renames)


def _root_keys(node: FetchNode) -> list[str]:
    return [item.key for item in node.selection.items.values() if isinstance(item, SubField)]


async def run_entity_fetch(state: ExecutionState, flatten: FlattenNode) -> None:
    assert flatten.node.requires is not None
    if flatten.context_batches is None:
        batch = compiled_collect(flatten.targets)(state.data)
        await _fetch_entities(state, flatten, batch, {})
        return
    # @fromContext arguments: entities whose context values differ still share one request.
    batches = collect_contextual_entities(state.data, flatten.targets)
    if len(batches) == 1:
        values, batch = batches[0]
        await _fetch_entities(state, flatten, batch, values)
    elif batches:
        await _fetch_context_batches(state, flatten, batches)


async def _fetch_entities(
    state: ExecutionState,
    flatten: FlattenNode,
    batch: EntityBatch,
    context_values: Mapping[str, Any],
) -> None:
    node = flatten.node
    if not batch.representations:
        return
    variables = _request_variables(node, state.variables)
    variables.update(context_values)
    variables["representations"] = batch.representations
    response = await _send(
        state, node, variables, error_paths=lambda: _object_paths(state.data, flatten, [batch])
    )
    if response is None:
        return
    data = response.get("data")
    errors = response.get("errors")
    entities = data.get("_entities") if isinstance(data, dict) else None
    _merge_entities(state, flatten, batch, entities, errors)
    if errors:
        paths = {"_entities": _entity_paths(state.data, flatten, batch)}
        _pass_on(state, node.service, errors, paths, node.renames)


async def _fetch_context_batches(
    state: ExecutionState,
    flatten: FlattenNode,
    batches: list[tuple[dict[str, Any], EntityBatch]],
) -> None:
    """One request for several sets of context values: ``_<i>: _entities(...)`` per set."""
    node = flatten.node
    assert flatten.context_batches is not None
    variables = _request_variables(node, state.variables)
    for index, (values, batch) in enumerate(batches):
        variables[f"representations_{index}"] = batch.representations
        for name, value in values.items():
            variables[f"{name}_{index}"] = value
    operation = flatten.context_batches.operation(len(batches))
    every_batch = [batch for _, batch in batches]
    response = await _send(
        state,
        node,
        variables,
        operation,
        error_paths=lambda: _object_paths(state.data, flatten, every_batch),
    )
    if response is None:
        return
    data = response.get("data")
    errors = response.get("errors")
    for index, (_, batch) in enumerate(batches):
        entities = data.get(f"_{index}") if isinstance(data, dict) else None
        _merge_entities(state, flatten, batch, entities, errors)
    if errors:
        paths = {
            f"_{index}": _entity_paths(state.data, flatten, batch)
            for index, (_, batch) in enumerate(batches)
        }
        _pass_on(state, node.service, errors, paths, node.renames)


def _merge_entities(
    state: ExecutionState,
    flatten: FlattenNode,
    batch: EntityBatch,
    entities: Any,
    errors: Any,
) -> None:
    """Merge one ``_entities`` answer into the objects its representations stood for."""
    service = flatten.node.service
    if flatten.node.renames is not None and isinstance(entities, list):
        apply_renames(entities, flatten.node.renames)
    if not isinstance(entities, list):
        if not errors:
            state.errors.append(_invalid_response(service, "no _entities list and no errors"))
        return
    if len(entities) != len(batch.representations):
        state.errors.append(
            _invalid_response(
                service,
                f"{len(entities)} entities for {len(batch.representations)} representations",
            )
        )
        return
    if len(flatten.targets) == 1:
        for entity, targets in zip(entities, batch.targets, strict=True):
            if isinstance(entity, dict):
                for target, _ in targets:
                    deep_merge(target, entity)
        return
    merges = [
        deep_merge if target.takes_whole_answer else compiled_merge(target.selection)
        for target in flatten.targets
    ]
    for entity, targets in zip(entities, batch.targets, strict=True):
        if isinstance(entity, dict):
            for target, target_index in targets:
                merges[target_index](target, entity)


def _entity_paths(
    data: dict[str, Any], flatten: FlattenNode, batch: EntityBatch
) -> list[list[tuple[list[str | int], list[SubSelection] | None]]]:
    """For each representation, the client paths of the objects it answered for, each with
    its targets' selections when the fetch serves several targets."""
    wanted = {id(entity) for targets in batch.targets for entity, _ in targets}
    located = locate(data, flatten.paths, wanted)
    several = len(flatten.targets) > 1
    result: list[list[tuple[list[str | int], list[SubSelection] | None]]] = []
    for targets in batch.targets:
        by_object: dict[int, tuple[list[str | int], list[SubSelection] | None]] = {}
        for entity, target_index in targets:
            if id(entity) not in located:
                continue
            _, selections = by_object.setdefault(
                id(entity), (located[id(entity)], [] if several else None)
            )
            if selections is not None:
                selections.append(flatten.targets[target_index].selection)
        result.append(list(by_object.values()))
    return result


def _object_paths(
    data: dict[str, Any], flatten: FlattenNode, batches: list[EntityBatch]
) -> list[list[str | int]]:
    """The client path of every object a (failed) entity fetch was to complete, once each."""
    paths: list[list[str | int]] = []
    seen: set[tuple[str | int, ...]] = set()
    for batch in batches:
        for entity_paths in _entity_paths(data, flatten, batch):
            for path, _ in entity_paths:
                client = client_path(path)
                if tuple(client) not in seen:
                    seen.add(tuple(client))
                    paths.append(client)
    return paths
