"""Phrases shared by composition error messages."""

from __future__ import annotations

from collections.abc import Sequence


def subgraph_list(graphs: Sequence[str]) -> str:
    """``subgraph "a"`` or ``subgraphs "a", "b" and "c"``."""
    quoted = [f'"{graph}"' for graph in graphs]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
