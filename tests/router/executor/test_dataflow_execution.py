"""Fetches start as soon as the fetches they read from are merged: a slow subgraph holds up
only what depends on it, and the answer is the same as the oracle's."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from router.executor import QueryEngine
from router.types import RequestContext, SubgraphRequest
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import REPO_ROOT, fixture_supergraph, run
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph

QUERY = (REPO_ROOT / "tests" / "fixtures" / "benchmark" / "query.graphql").read_text()


class SlowAccounts:
    """Benchmark subgraphs in-process; the accounts root fetch answers only once inventory
    has been asked (or after a second, when the plan runs in rigid waves)."""

    def __init__(self) -> None:
        self.inventory_asked = asyncio.Event()
        self.order: list[str] = []

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        self.order.append(f"{subgraph} asked")
        if subgraph == "inventory":
            self.inventory_asked.set()
        if subgraph == "accounts" and "_entities" not in request.query:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.inventory_asked.wait(), 1.0)
        answer = await in_process_subgraph(subgraph, request, context)
        self.order.append(f"{subgraph} answered")
        return answer


async def test_inventory_is_asked_while_the_accounts_root_fetch_is_still_running() -> None:
    subgraphs = SlowAccounts()
    supergraph = fixture_supergraph("benchmark")
    engine = QueryEngine(supergraph, subgraphs)

    response = await run(engine, QUERY)

    assert response == oracle_response(supergraph, QUERY)
    first_accounts_answer = subgraphs.order.index("accounts answered")
    assert subgraphs.order.index("inventory asked") < first_accounts_answer, subgraphs.order
    # what reads the users the accounts root fetch answers still waits for it
    assert subgraphs.order.index("reviews asked") > first_accounts_answer, subgraphs.order
