"""Print a query plan in Apollo's QueryPlan text style (what plan snapshot tests compare)."""

from __future__ import annotations

from router.planner.nodes import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)
from router.planner.selection import print_pretty


def print_plan(plan: QueryPlan) -> str:
    lines = ["QueryPlan {"]
    if plan.node is not None:
        subscription = _subscription_parts(plan.node)
        if subscription is None:
            lines.extend(_node_lines(plan.node, "  "))
        else:
            lines.extend(_subscription_lines(*subscription, "  "))
    lines.append("}")
    return "\n".join(lines)


def _subscription_parts(node: PlanNode) -> tuple[FetchNode, list[PlanNode]] | None:
    """A subscription's plan: its upstream subscription fetch and what runs per event."""
    if isinstance(node, FetchNode) and node.operation_kind == "subscription":
        return node, []
    if isinstance(node, SequenceNode) and node.nodes:
        first = node.nodes[0]
        if isinstance(first, FetchNode) and first.operation_kind == "subscription":
            return first, list(node.nodes[1:])
    return None


def _subscription_lines(primary: FetchNode, rest: list[PlanNode], indent: str) -> list[str]:
    """As Apollo prints them: ``Subscription { Primary: {...}, Rest: { Sequence {...} } }``."""
    inner, branch = indent + "  ", indent + "    "
    lines = [f"{indent}Subscription {{", f"{inner}Primary: {{"]
    lines.extend(_last_without_comma(_node_lines(primary, branch)))
    if not rest:
        lines.extend([f"{inner}}}", indent + "},"])
        return lines
    lines.extend([f"{inner}}},", f"{inner}Rest: {{"])
    lines.extend(_last_without_comma(_node_lines(SequenceNode(tuple(rest)), branch)))
    lines.extend([f"{inner}}}", indent + "},"])
    return lines


def _node_lines(node: PlanNode, indent: str) -> list[str]:
    inner = indent + "  "
    if isinstance(node, FetchNode):
        lines = [f'{indent}Fetch(service: "{node.service}") {{']
        if node.requires is not None:
            lines.extend(print_pretty(node.requires, inner))
            lines[-1] += " =>"
        lines.extend(print_pretty(node.selection, inner))
        lines.append(indent + "},")
        return lines
    if isinstance(node, FlattenNode):
        if len(node.paths) == 1:
            head = f'Flatten(path: "{".".join(node.paths[0])}")'
        else:
            paths = ", ".join(f'"{".".join(path)}"' for path in node.paths)
            head = f"Flatten(paths: [{paths}])"
        return [f"{indent}{head} {{", *_node_lines(node.node, inner), indent + "},"]
    if isinstance(node, SequenceNode | ParallelNode):
        head = "Sequence" if isinstance(node, SequenceNode) else "Parallel"
        lines = [f"{indent}{head} {{"]
        for child in node.nodes:
            lines.extend(_node_lines(child, inner))
        lines.append(indent + "},")
        return lines
    assert isinstance(node, ConditionNode)
    # As Apollo prints them: a condition's branch carries no trailing comma.
    if node.else_clause is None and node.if_clause is not None:
        return [
            f"{indent}Include(if: ${node.condition}) {{",
            *_last_without_comma(_node_lines(node.if_clause, inner)),
            indent + "},",
        ]
    if node.if_clause is None and node.else_clause is not None:
        return [
            f"{indent}Skip(if: ${node.condition}) {{",
            *_last_without_comma(_node_lines(node.else_clause, inner)),
            indent + "},",
        ]
    branch = inner + "  "
    lines = [f"{indent}Condition(if: ${node.condition}) {{", f"{inner}Then {{"]
    if node.if_clause is not None:
        lines.extend(_last_without_comma(_node_lines(node.if_clause, branch)))
    lines.append(f"{inner}}} Else {{")
    if node.else_clause is not None:
        lines.extend(_last_without_comma(_node_lines(node.else_clause, branch)))
    lines.extend([inner + "}", indent + "},"])
    return lines


def _last_without_comma(lines: list[str]) -> list[str]:
    if lines and lines[-1].endswith(","):
        lines[-1] = lines[-1][:-1]
    return lines
