"""One plan for every value of the @skip/@include variables, as Apollo's planner shows it.

The router plans (and runs) one variant per combination of condition values, so a skipped
selection never causes a fetch. To show the plan of an operation, the variants are merged
back into one tree: each fetch is matched across the variants that make it (same subgraph,
paths and representation, n-th such fetch), placed after everything any variant runs before
it, and wrapped in ``Include(if: $v)`` / ``Skip(if: $v)`` where only some variants run it;
consecutive waves under the same condition share one node, and selections present in only
some variants carry ``@include``/``@skip`` where they differ. Variants that cannot be merged
this way (their fetches ordered differently) are shown as a ``Condition`` per variable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    SequenceNode,
)
from router.planner.selection import (
    Conditions,
    SubField,
    SubFragment,
    SubSelection,
    print_compact,
    variables_used,
)

Values = tuple[bool, ...]
Leaf = FetchNode | FlattenNode
Guard = frozenset[Values]


def merge_variants(
    variables: tuple[str, ...], plan_of: Callable[[Values], PlanNode | None]
) -> PlanNode | None:
    """The plan of every combination of ``variables`` in one tree (see the module doc)."""
    everything = frozenset(_combinations(len(variables)))
    plans = {values: plan_of(values) for values in sorted(everything, reverse=True)}
    merged = _Merger(variables, plans, everything).merge()
    return merged if merged is not _UNMERGEABLE else _condition_tree(variables, plan_of, ())


def _combinations(count: int) -> Iterable[Values]:
    if count == 0:
        yield ()
        return
    for rest in _combinations(count - 1):
        yield (*rest, True)
        yield (*rest, False)


def _condition_tree(
    variables: tuple[str, ...], plan_of: Callable[[Values], PlanNode | None], fixed: Values
) -> PlanNode | None:
    """Top-level branches over every combination, equal branches collapsed."""
    if len(fixed) == len(variables):
        return plan_of(fixed)
    if_clause = _condition_tree(variables, plan_of, (*fixed, True))
    else_clause = _condition_tree(variables, plan_of, (*fixed, False))
    if if_clause == else_clause:
        return if_clause
    return ConditionNode(variables[len(fixed)], if_clause, else_clause)


_UNMERGEABLE = SequenceNode(())


@dataclass(slots=True)
class _Slot:
    """One fetch of the merged plan: the variants that make it, with their version of it."""

    key: tuple[object, ...]
    versions: dict[Values, Leaf] = field(default_factory=dict)

    @property
    def guard(self) -> Guard:
        return frozenset(self.versions)


class _Merger:
    def __init__(
        self,
        variables: tuple[str, ...],
        plans: Mapping[Values, PlanNode | None],
        everything: Guard,
    ) -> None:
        self.variables = variables
        self.plans = plans
        self.everything = everything

    def merge(self) -> PlanNode | None:
        slots: dict[tuple[object, ...], _Slot] = {}
        after: dict[tuple[object, ...], set[tuple[object, ...]]] = {}
        for values, plan in self.plans.items():
            waves = _waves(plan)
            if waves is None:
                return _UNMERGEABLE
            seen: dict[tuple[object, ...], int] = {}
            previous: list[tuple[object, ...]] = []
            for wave in waves:
                current: list[tuple[object, ...]] = []
                for leaf in wave:
                    base = _leaf_key(leaf)
                    key = (*base, seen.get(base, 0))
                    seen[base] = seen.get(base, 0) + 1
                    slots.setdefault(key, _Slot(key)).versions[values] = leaf
                    after.setdefault(key, set()).update(previous)
                    current.append(key)
                previous = current
        levels = _levels(after)
        if levels is None:
            return _UNMERGEABLE
        waves_by_level: dict[int, list[_Slot]] = {}
        for key, slot in slots.items():
            waves_by_level.setdefault(levels[key], []).append(slot)
        merged_waves = [waves_by_level[level] for level in sorted(waves_by_level)]
        return self._sequence(merged_waves, self.everything)

    # -- the tree ---------------------------------------------------------------------------

    def _sequence(self, waves: list[list[_Slot]], context: Guard) -> PlanNode | None:
        steps: list[PlanNode] = []
        index = 0
        while index < len(waves):
            guard = _union(slot.guard for slot in waves[index])
            literal = self._common_literal(guard, context)
            if literal is None:
                steps.append(self._wave(waves[index], context))
                index += 1
                continue
            inner = self._restrict(context, literal)
            end = index + 1
            while end < len(waves) and _union(slot.guard for slot in waves[end]) <= inner:
                end += 1
            body = self._sequence(waves[index:end], inner)
            if body is not None:
                steps.append(_condition(self.variables[literal[0]], literal[1], body))
            index = end
        return _flat_sequence(steps)

    def _wave(self, wave: list[_Slot], context: Guard) -> PlanNode:
        nodes = _pair_alternatives(
            [
                node
                for node in (self._guarded(slot, slot.guard, context) for slot in wave)
                if node is not None
            ]
        )
        return nodes[0] if len(nodes) == 1 else ParallelNode(tuple(nodes))

    def _guarded(self, slot: _Slot, guard: Guard, context: Guard) -> PlanNode | None:
        """The slot's fetch under the conditions that make it run (within ``context``)."""
        if not guard:
            return None
        if guard == context:
            return self._leaf(slot)
        index = self._deciding_variable(guard, context)
        when_true = self._restrict(context, (index, True))
        when_false = self._restrict(context, (index, False))
        if_clause = self._guarded(slot, guard & when_true, when_true)
        else_clause = self._guarded(slot, guard & when_false, when_false)
        return ConditionNode(self.variables[index], if_clause, else_clause)

    def _leaf(self, slot: _Slot) -> Leaf:
        """The fetch as every variant of the slot makes it, differences under conditions."""
        first = next(iter(slot.versions.values()))
        first_fetch = _fetch_of(first)
        selections = {values: _fetch_of(leaf).selection for values, leaf in slot.versions.items()}
        if all(selection == first_fetch.selection for selection in selections.values()):
            return first
        fetch = _with_selection(first_fetch, self._merge_selections(selections, slot.guard))
        return replace(first, node=fetch) if isinstance(first, FlattenNode) else fetch

    def _merge_selections(
        self, versions: Mapping[Values, SubSelection], context: Guard
    ) -> SubSelection:
        """One selection for the variants of ``context``: what only some select, under
        conditions (items sharing them grouped in one ``...`` fragment)."""
        order: dict[str, None] = {}
        for selection in versions.values():
            order.update(dict.fromkeys(selection.items))
        result = SubSelection()
        groups: dict[Conditions, SubSelection] = {}
        for slot in order:
            present = {
                values: selection.items[slot]
                for values, selection in versions.items()
                if slot in selection.items
            }
            guard = frozenset(present)
            item = self._merge_item(present, guard)
            cubes = self._cubes(guard, context)
            if cubes == [()]:
                result.items[slot] = item
                continue
            for cube in cubes:
                group = groups.get(cube)
                if group is None:
                    group = groups[cube] = SubSelection()
                    result.items[f"...{len(groups)}"] = SubFragment("", group, cube)
                group.items[slot] = item
        # A fragment holding one selection only: the conditions go on that selection itself
        # (unless the selection is there under other conditions too).
        uses: dict[str, int] = {}
        for group in groups.values():
            for inner_slot in group.items:
                uses[inner_slot] = uses.get(inner_slot, 0) + 1
        items: dict[str, SubField | SubFragment] = {}
        for slot, item in result.items.items():
            if (
                isinstance(item, SubFragment)
                and not item.type_condition
                and len(item.selection.items) == 1
                and uses[next(iter(item.selection.items))] == 1
            ):
                [(inner_slot, inner)] = item.selection.items.items()
                items[inner_slot] = replace(inner, conditions=item.conditions)
            else:
                items[slot] = item
        result.items = items
        return result

    def _merge_item(
        self, present: Mapping[Values, SubField | SubFragment], guard: Guard
    ) -> SubField | SubFragment:
        first = next(iter(present.values()))
        if first.selection is None:
            return first
        children = {
            values: item.selection for values, item in present.items() if item.selection is not None
        }
        if all(child == first.selection for child in children.values()):
            return first
        return replace(first, selection=self._merge_selections(children, guard))

    # -- conditions ------------------------------------------------------------------------

    def _restrict(self, context: Guard, literal: tuple[int, bool]) -> Guard:
        index, value = literal
        return frozenset(values for values in context if values[index] is value)

    def _common_literal(self, guard: Guard, context: Guard) -> tuple[int, bool] | None:
        """A variable value every variant of ``guard`` has, and not every one of ``context``."""
        if guard == context or not guard:
            return None
        for index in range(len(self.variables)):
            for value in (True, False):
                inner = self._restrict(context, (index, value))
                if inner != context and guard <= inner:
                    return index, value
        return None

    def _deciding_variable(self, guard: Guard, context: Guard) -> int:
        """The first variable on which membership in ``guard`` depends within ``context``."""
        for index in range(len(self.variables)):
            for values in context:
                flipped = (*values[:index], not values[index], *values[index + 1 :])
                if flipped in context and (values in guard) != (flipped in guard):
                    return index
        raise AssertionError("a proper subset of the variants depends on some variable")

    def _cubes(self, guard: Guard, context: Guard) -> list[Conditions]:
        """``guard`` within ``context`` as alternatives of conjunctions (``[()]``: always)."""
        if not guard:
            return []
        if guard == context:
            return [()]
        index = self._deciding_variable(guard, context)
        name = self.variables[index]
        result: list[Conditions] = []
        for value in (True, False):
            inner = self._restrict(context, (index, value))
            result.extend(((name, value), *cube) for cube in self._cubes(guard & inner, inner))
        return result


def _waves(plan: PlanNode | None) -> list[list[Leaf]] | None:
    """The plan as waves of fetches (None when it has another shape)."""
    if plan is None:
        return []
    steps = plan.nodes if isinstance(plan, SequenceNode) else (plan,)
    waves: list[list[Leaf]] = []
    for step in steps:
        members = step.nodes if isinstance(step, ParallelNode) else (step,)
        if not all(isinstance(member, FetchNode | FlattenNode) for member in members):
            return None
        waves.append(list(members))  # type: ignore[arg-type]
    return waves


def _leaf_key(leaf: Leaf) -> tuple[object, ...]:
    if isinstance(leaf, FetchNode):
        return ("fetch", leaf.service, leaf.operation_kind)
    requires = leaf.node.requires
    return (
        "flatten",
        leaf.node.service,
        leaf.paths,
        print_compact(requires) if requires is not None else "",
        tuple(rewrite.variable for target in leaf.targets for rewrite in target.contexts),
    )


def _levels(
    after: Mapping[tuple[object, ...], set[tuple[object, ...]]],
) -> dict[tuple[object, ...], int] | None:
    """Each fetch's wave: one after the latest of those any variant runs before it (None
    when the variants order two fetches differently)."""
    levels: dict[tuple[object, ...], int] = {}
    visiting: set[tuple[object, ...]] = set()

    def level(key: tuple[object, ...]) -> int | None:
        if key in levels:
            return levels[key]
        if key in visiting:
            return None
        visiting.add(key)
        best = 0
        for before in after.get(key, ()):
            found = level(before)
            if found is None:
                return None
            best = max(best, found + 1)
        visiting.discard(key)
        levels[key] = best
        return best

    for key in after:
        if level(key) is None:
            return None
    return levels


def _pair_alternatives(nodes: list[PlanNode]) -> list[PlanNode]:
    """``Include(if: $v)`` and ``Skip(if: $v)`` siblings as one ``Condition(if: $v)``
    (``Then`` the former, ``Else`` the latter), in place of the first of them."""
    included: dict[str, list[PlanNode]] = {}
    skipped: dict[str, list[PlanNode]] = {}
    for node in nodes:
        if isinstance(node, ConditionNode):
            if node.else_clause is None and node.if_clause is not None:
                included.setdefault(node.condition, []).append(node.if_clause)
            elif node.if_clause is None and node.else_clause is not None:
                skipped.setdefault(node.condition, []).append(node.else_clause)
    paired = included.keys() & skipped.keys()
    if not paired:
        return nodes
    result: list[PlanNode] = []
    emitted: set[str] = set()
    for node in nodes:
        if (
            not isinstance(node, ConditionNode)
            or node.condition not in paired
            or (node.if_clause is not None and node.else_clause is not None)
        ):
            result.append(node)
            continue
        if node.condition in emitted:
            continue
        emitted.add(node.condition)
        result.append(
            ConditionNode(
                node.condition,
                _parallel(included[node.condition]),
                _parallel(skipped[node.condition]),
            )
        )
    return result


def _parallel(nodes: list[PlanNode]) -> PlanNode:
    return nodes[0] if len(nodes) == 1 else ParallelNode(tuple(nodes))


def _union(guards: Iterable[Guard]) -> Guard:
    result: frozenset[Values] = frozenset()
    for guard in guards:
        result |= guard
    return result


def _condition(variable: str, value: bool, body: PlanNode) -> ConditionNode:
    return ConditionNode(variable, body, None) if value else ConditionNode(variable, None, body)


def _flat_sequence(steps: list[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for step in steps:
        flat.extend(step.nodes if isinstance(step, SequenceNode) else (step,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else SequenceNode(tuple(flat))


def _fetch_of(leaf: Leaf) -> FetchNode:
    return leaf.node if isinstance(leaf, FlattenNode) else leaf


def _with_selection(fetch: FetchNode, selection: SubSelection) -> FetchNode:
    """The fetch selecting ``selection``: its operation text declares the condition
    variables it now uses (as Boolean!; the subgraph evaluates the directives)."""
    usages = tuple(dict.fromkeys((*fetch.variable_usages, *variables_used(selection))))
    added = [name for name in usages if name not in fetch.variable_usages]
    body_start = fetch.operation.index("{")
    head = fetch.operation[:body_start]
    if added:
        declared = ",".join(f"${name}:Boolean!" for name in added)
        head = f"{head[:-1]},{declared})" if head.endswith(")") else f"{head}({declared})"
    if fetch.requires is not None:
        body = "{_entities(representations:$representations)" + print_compact(selection) + "}"
    else:
        body = print_compact(selection)
    return replace(fetch, operation=head + body, variable_usages=usages, selection=selection)
