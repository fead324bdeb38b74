"""Fetches start as soon as the fetches they read from are merged: a slow subgraph holds up
only what depends on it, and the answer is the same as the oracle's. A finished fetch sends
the first fetch it made ready without waiting for an event loop turn; an unexpected failure
cancels the fetches in flight."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from router.executor import QueryEngine
from router.types import RequestContext, SubgraphRequest
from tests.router.executor.benchmark_oracle import oracle_response
from tests.router.executor.fakes import REPO_ROOT, fixture_supergraph, run
from tests.router.executor.test_benchmark_matches_oracle import in_process_subgraph

QUERY = (REPO_ROOT / "tests" / "fixtures" / "benchmark" / "query.graphql").read_text()
# reviews reads the users of accounts and the products of products; inventory only products.
USERS_AND_PRODUCTS = (
    "{ users { id reviews { id } } topProducts { upc shippingEstimate reviews { id } } }"
)


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


class LoopTurns:
    """The benchmark subgraphs in-process, noting at which event loop turn each request was
    sent and answered (a callback counting turns runs once per turn); products answers a few
    turns after the others."""

    def __init__(self) -> None:
        self.turn = 0
        self.sent: list[tuple[str, int]] = []
        self.answered: list[tuple[str, int]] = []
        self._loop = asyncio.get_running_loop()
        self._loop.call_soon(self._count)

    def _count(self) -> None:
        self.turn += 1
        self._loop.call_soon(self._count)

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        self.sent.append((subgraph, self.turn))
        if subgraph == "products":
            for _ in range(3):
                await asyncio.sleep(0)
        response = await in_process_subgraph(subgraph, request, context)
        self.answered.append((subgraph, self.turn))
        return response


async def test_a_fetch_made_ready_is_sent_in_the_turn_its_last_input_was_merged() -> None:
    subgraphs = LoopTurns()
    supergraph = fixture_supergraph("benchmark")

    response = await run(QueryEngine(supergraph, subgraphs), USERS_AND_PRODUCTS)

    assert response == oracle_response(supergraph, USERS_AND_PRODUCTS)
    products_answered = dict(subgraphs.answered)["products"]
    # reviews, waiting for accounts (answered earlier) and products, is sent in the turn
    # products answered, not one turn later in a task of its own; inventory, also made ready
    # by products, gets a task
    assert dict(subgraphs.sent)["reviews"] == products_answered
    assert dict(subgraphs.sent)["inventory"] == products_answered + 1


class FailingAccounts:
    """products hangs until cancelled; accounts fails with an error that is not a subgraph's."""

    def __init__(self) -> None:
        self.products_cancelled = asyncio.Event()

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        if subgraph == "products":
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.products_cancelled.set()
                raise
        await asyncio.sleep(0)
        raise RuntimeError("accounts fetcher broke")


async def test_an_unexpected_failure_cancels_the_fetches_in_flight() -> None:
    subgraphs = FailingAccounts()
    engine = QueryEngine(fixture_supergraph("benchmark"), subgraphs)

    with pytest.raises(RuntimeError, match="accounts fetcher broke"):
        await asyncio.wait_for(run(engine, USERS_AND_PRODUCTS), timeout=5)
    assert subgraphs.products_cancelled.is_set()


async def test_cancelling_the_execution_cancels_the_fetches_in_flight() -> None:
    subgraphs = FailingAccounts()
    engine = QueryEngine(fixture_supergraph("benchmark"), subgraphs)
    execution = asyncio.ensure_future(run(engine, "{ topProducts { upc shippingEstimate } }"))
    for _ in range(5):
        await asyncio.sleep(0)

    execution.cancel()

    with pytest.raises(asyncio.CancelledError):
        await execution
    assert subgraphs.products_cancelled.is_set()
