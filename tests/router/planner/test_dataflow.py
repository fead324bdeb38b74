"""Which earlier fetches each fetch of a query plan reads from (``router.planner.dataflow``):
the executor starts each fetch once those are merged, not after the whole previous wave."""

from __future__ import annotations

from pathlib import Path

from router.auth import Principal
from router.executor import QueryEngine
from router.planner.dataflow import Dataflow
from router.planner.nodes import FetchNode, FlattenNode, SequenceNode
from router.supergraph import load_supergraph
from tests.router.executor.fakes import REPO_ROOT, RecordingFetcher, fixture_supergraph

ADMIN = Principal(
    "admin",
    frozenset({"admin", "user", "seller"}),
    frozenset({"admin", "user", "seller", "operator", "support"}),
)


def _dataflow(engine: QueryEngine, document: str, principal: Principal | None = None) -> Dataflow:
    prepared = engine.prepare(document, None, principal=principal)
    node = prepared.operation_plan.variant(()).node
    assert isinstance(node, SequenceNode) and node.dataflow is not None
    return node.dataflow


def _described(dataflow: Dataflow) -> list[str]:
    """``<index> <service> <paths> <- <inputs>`` per fetch."""

    def service(fetch: FetchNode | FlattenNode) -> str:
        return fetch.service if isinstance(fetch, FetchNode) else fetch.node.service

    lines = []
    for index, (fetch, inputs) in enumerate(zip(dataflow.fetches, dataflow.inputs, strict=True)):
        paths = (
            "root"
            if isinstance(fetch, FetchNode)
            else " ".join(".".join(path) for path in fetch.paths)
        )
        lines.append(f"{index} {service(fetch)} {paths} <- {list(inputs)}")
    return lines


def test_the_benchmark_query_starts_inventory_without_waiting_for_accounts() -> None:
    engine = QueryEngine(fixture_supergraph("benchmark"), RecordingFetcher({}))
    document = (REPO_ROOT / "tests" / "fixtures" / "benchmark" / "query.graphql").read_text()

    assert _described(_dataflow(engine, document)) == [
        "0 accounts root <- []",
        "1 products root <- []",
        "2 reviews users.@ topProducts.@ <- [0, 1]",
        # shippingEstimate's weight and price come from the products root fetch alone
        "3 inventory topProducts.@ <- [1]",
        "4 products users.@.reviews.@.product "
        "users.@.reviews.@.product.reviews.@.author.reviews.@.product "
        "topProducts.@.reviews.@.author.reviews.@.product <- [0, 1, 2]",
        "5 accounts users.@.reviews.@.product.reviews.@.author "
        "topProducts.@.reviews.@.author <- [0, 1, 2]",
        "6 inventory users.@.reviews.@.product "
        "users.@.reviews.@.product.reviews.@.author.reviews.@.product "
        "topProducts.@.reviews.@.author.reviews.@.product <- [0, 1, 2, 4, 5]",
    ]


def test_the_dashboard_reads_me_and_never_waits_for_the_status_page() -> None:
    supergraph = load_supergraph((REPO_ROOT / "schema" / "supergraph.graphql").read_text())
    engine = QueryEngine(supergraph, RecordingFetcher({}))
    document = Path(REPO_ROOT / "bench" / "dashboard" / "dashboard.graphql").read_text()

    described = _described(_dataflow(engine, document, ADMIN))

    assert described == [
        "0 identity root <- []",
        "1 support root <- []",
        "2 observability root <- []",
        "3 commerce me notifications.edges.@.node.order <- [0, 1]",
        "4 money me <- [0]",
        "5 support me <- [0]",
        "6 media me <- [0]",
        "7 identity me.orders.edges.@.node.lines.@.product.seller.user "
        "me.videos.edges.@.node.owner <- [0, 3, 6]",
        "8 commerce me.tickets.edges.@.node.order <- [0, 5]",
    ]


def test_a_plan_whose_every_fetch_reads_the_wave_before_keeps_its_waves() -> None:
    engine = QueryEngine(fixture_supergraph("benchmark"), RecordingFetcher({}))

    prepared = engine.prepare("{ me { reviews { product { name } } } }", None)
    node = prepared.operation_plan.variant(()).node

    assert isinstance(node, SequenceNode)
    assert node.dataflow is None
