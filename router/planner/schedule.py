"""Turn fetch groups into plan nodes: waves in sequence, the fetches of one wave in parallel,
and all entity groups of one subgraph in one wave merged into a single fetch."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import count

from graphql.language import OperationType

from router.planner.aliases import ENTITIES_PARENT, alias_non_merging_fields
from router.planner.context import PlanningContext
from router.planner.dataflow import dataflow
from router.planner.groups import FetchGroup, GroupEntry
from router.planner.nodes import (
    ContextBatches,
    EntityTarget,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    RepresentationRule,
    SequenceNode,
)
from router.planner.selection import SubFragment, SubSelection, print_compact, variables_used

_OPERATION_TYPES = {
    "query": OperationType.QUERY,
    "mutation": OperationType.MUTATION,
    "subscription": OperationType.SUBSCRIPTION,
}


class OperationNamer:
    """Names subgraph operations ``<ClientOperation>__<subgraph>__<n>`` in plan order."""

    def __init__(self, client_operation_name: str | None) -> None:
        self._base = client_operation_name
        self._counter = count()

    def next(self, subgraph: str) -> str | None:
        index = next(self._counter)
        return f"{self._base}__{subgraph}__{index}" if self._base else None


def waves(groups: Mapping[int, FetchGroup]) -> list[list[FetchGroup]]:
    """Groups by the earliest wave they can run in, entity groups of a subgraph merged."""
    levels: dict[int, int] = {}

    def level(group_id: int) -> int:
        if group_id not in levels:
            dependencies = groups[group_id].dependencies - {group_id}
            levels[group_id] = 1 + max((level(d) for d in dependencies), default=-1)
        return levels[group_id]

    by_level: dict[int, list[FetchGroup]] = {}
    for group_id in groups:
        by_level.setdefault(level(group_id), []).append(groups[group_id])
    result: list[list[FetchGroup]] = []
    for wave_level in sorted(by_level):
        merged: list[FetchGroup] = []
        for group in by_level[wave_level]:
            if group.selection.is_empty():
                continue
            target = next((m for m in merged if _mergeable(m, group)), None)
            if target is None:
                target = FetchGroup(
                    id=group.id,
                    subgraph=group.subgraph,
                    paths=[],
                    selection=SubSelection(),
                    requires=SubSelection() if group.requires is not None else None,
                    contexts=group.contexts,
                )
                merged.append(target)
            target.selection.merge(group.selection)
            if group.requires is None:
                continue
            assert target.requires is not None
            target.requires.merge(group.requires)
            for path in group.paths:
                if path not in target.paths:
                    target.paths.append(path)
                # Entities at one path and of the same types all got every field the merged
                # groups waited for; others did not, so they keep separate entries.
                entry = next(
                    (
                        e
                        for e in target.entries
                        if e.path == path and e.entity_types == group.entity_types
                    ),
                    None,
                )
                if entry is None:
                    target.entries.append(
                        GroupEntry(
                            path, group.entity_types, group.requires.copy(), group.selection.copy()
                        )
                    )
                else:
                    entry.requires.merge(group.requires)
                    entry.selection.merge(group.selection)
        result.append(merged)
    return result


def _mergeable(existing: FetchGroup, group: FetchGroup) -> bool:
    return (
        existing.is_entity
        and group.is_entity
        and existing.subgraph == group.subgraph
        and existing.selection.can_merge(group.selection)
        and existing.requires is not None
        and group.requires is not None
        and existing.requires.can_merge(group.requires)
        and not existing.contexts
        and not group.contexts
    )


def representation_rules(
    context: PlanningContext, requires: SubSelection, only: frozenset[str] | None = None
) -> dict[str, RepresentationRule]:
    """For each ``__typename`` an entity may have: the representation's ``__typename`` and
    what to send. A fragment on an interface (an entity interface, or an @interfaceObject in
    the target) serves every implementation, and objects typed as the interface itself."""
    concrete: dict[str, SubSelection] = {}
    abstract: list[tuple[str, SubSelection]] = []
    for item in requires.items.values():
        assert isinstance(item, SubFragment)
        if context.kind(item.type_condition) == "object":
            concrete[item.type_condition] = item.selection
        else:
            abstract.append((item.type_condition, item.selection))
    rules = {name: RepresentationRule(name, selection) for name, selection in concrete.items()}
    for interface, selection in abstract:
        rules.setdefault(interface, RepresentationRule(interface, selection))
        for name in sorted(context.possible_types(interface)):
            existing = rules.get(name)
            if existing is None:
                rules[name] = RepresentationRule(interface, selection)
            elif name in concrete:
                merged = existing.selection.copy()
                merged.merge(selection)
                rules[name] = RepresentationRule(name, merged)
    if only is not None:
        rules = {name: rule for name, rule in rules.items() if name in only}
    return {
        name: RepresentationRule(rule.typename, concrete_fragments(context, rule.selection))
        for name, rule in rules.items()
    }


def concrete_fragments(context: PlanningContext, selection: SubSelection) -> SubSelection:
    """The selection with fragments on abstract types spelled out per object type, so that
    projecting a representation only compares ``__typename`` values."""
    result = SubSelection()
    for item in selection.items.values():
        if isinstance(item, SubFragment):
            inner = concrete_fragments(context, item.selection)
            names = (
                [item.type_condition]
                if context.kind(item.type_condition) == "object"
                else sorted(context.possible_types(item.type_condition))
            )
            for name in names:
                result.fragment(name).merge(inner)
            continue
        child = result.add_field(item.key, item.name, item.arguments, item.selection is not None)
        if child is not None and item.selection is not None:
            child.merge(concrete_fragments(context, item.selection))
    return result


def fetch_node(
    context: PlanningContext,
    group: FetchGroup,
    operation_kind: str,
    variable_types: Mapping[str, str],
    namer: OperationNamer,
) -> FetchNode | FlattenNode:
    usages = tuple(variables_used(group.selection))
    name = namer.next(group.subgraph)
    definitions = [f"${usage}:{variable_types[usage]}" for usage in usages]
    if group.requires is not None:
        selection, renames = alias_non_merging_fields(
            context, group.subgraph, ENTITIES_PARENT, group.selection
        )
        definitions.insert(0, "$representations:[_Any!]!")
        body = "{_entities(representations:$representations)" + print_compact(selection) + "}"
        kind = "query"
    else:
        root = context.schema.get_root_type(_OPERATION_TYPES[operation_kind])
        assert root is not None
        selection, renames = alias_non_merging_fields(
            context, group.subgraph, root.name, group.selection
        )
        body = print_compact(selection)
        kind = operation_kind
    header = kind
    if name:
        header += " " + name
    if definitions:
        header += "(" + ",".join(definitions) + ")"
    node = FetchNode(
        service=group.subgraph,
        operation=header + body,
        operation_name=name,
        operation_kind=kind,
        variable_usages=usages,
        selection=selection,
        requires=group.requires,
        renames=renames,
    )
    if group.requires is None:
        return node
    context_batches = None
    if group.contexts:
        context_variables = {rewrite.variable for rewrite in group.contexts}
        context_batches = ContextBatches(
            head=f"query {name}" if name else "query",
            variable_definitions=tuple(
                f"${usage}:{variable_types[usage]}"
                for usage in usages
                if usage not in context_variables
            ),
            context_variables=tuple(
                (usage, variable_types[usage]) for usage in usages if usage in context_variables
            ),
            selection=selection,
        )
    rules = [
        representation_rules(context, entry.requires, entry.entity_types) for entry in group.entries
    ]
    whole = whole_answer_targets(context, rules, [entry.selection for entry in group.entries])
    return FlattenNode(
        paths=tuple(group.paths),
        node=node,
        targets=tuple(
            EntityTarget(
                entry.path, entry_rules, entry.selection, tuple(group.contexts), entry_whole
            )
            for entry, entry_rules, entry_whole in zip(group.entries, rules, whole, strict=True)
        ),
        context_batches=context_batches,
    )


def whole_answer_targets(
    context: PlanningContext,
    rules: list[dict[str, RepresentationRule]],
    selections: list[SubSelection],
) -> list[bool]:
    """For each target of one entity fetch: whether the answer for its entities is exactly
    its own selection. True when every target selects only ``... on <object type>`` fragments
    and every other target selects the same (printed) on each (object) type this target's
    representations are sent as, or nothing. A fetch for one target is always answered with
    its own selection."""
    if len(selections) == 1:
        return [True]
    by_type: list[dict[str, str]] = []
    for selection in selections:
        fragments: dict[str, str] = {}
        for item in selection.items.values():
            if not isinstance(item, SubFragment) or context.kind(item.type_condition) != "object":
                return [False] * len(selections)
            fragments[item.type_condition] = print_compact(item.selection)
        by_type.append(fragments)
    result: list[bool] = []
    for index, target_rules in enumerate(rules):
        sent_as = {rule.typename for rule in target_rules.values()}
        own = by_type[index]
        result.append(
            all(context.kind(typename) == "object" for typename in sent_as)
            and all(
                other.get(typename) is None or other.get(typename) == own.get(typename)
                for other_index, other in enumerate(by_type)
                if other_index != index
                for typename in sent_as
            )
        )
    return result


def sequence(nodes: list[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, SequenceNode) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else SequenceNode(tuple(flat))


def parallel(nodes: list[PlanNode]) -> PlanNode | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else ParallelNode(tuple(nodes))


def schedule(
    context: PlanningContext,
    groups: Mapping[int, FetchGroup],
    operation_kind: str,
    variable_types: Mapping[str, str],
    namer: OperationNamer,
) -> PlanNode | None:
    steps: list[PlanNode] = []
    fetches: list[list[FetchNode | FlattenNode]] = []
    for wave in waves(groups):
        nodes = [fetch_node(context, g, operation_kind, variable_types, namer) for g in wave]
        node = parallel(list(nodes))
        if node is not None:
            steps.append(node)
            fetches.append(nodes)
    plan = sequence(steps)
    if operation_kind == "query" and isinstance(plan, SequenceNode):
        return SequenceNode(plan.nodes, dataflow(fetches))
    return plan
