"""In-memory stand-ins for the network in executor tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from router.errors import SubgraphUnavailable
from router.executor import QueryEngine
from router.supergraph import Supergraph, load_supergraph
from router.types import RequestContext, SubgraphRequest

REPO_ROOT = Path(__file__).resolve().parents[3]
Handler = Callable[[SubgraphRequest], dict[str, Any]]


def fixture_supergraph(name: str) -> Supergraph:
    if name == "benchmark":
        path = REPO_ROOT / "tests" / "fixtures" / "benchmark" / "supergraph.apollo.graphql"
    else:
        path = REPO_ROOT / "tests" / "router" / "fixtures" / f"{name}.graphql"
    return load_supergraph(path.read_text())


class RecordingFetcher:
    """Answers each subgraph with a handler and records every request it was sent."""

    def __init__(self, handlers: dict[str, Handler], down: frozenset[str] = frozenset()) -> None:
        self.handlers = handlers
        self.down = down
        self.requests: list[tuple[str, SubgraphRequest]] = []

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> dict[str, Any]:
        self.requests.append((subgraph, request))
        if subgraph in self.down:
            raise SubgraphUnavailable(subgraph, "connection refused")
        return self.handlers[subgraph](request)

    def sent_to(self, subgraph: str) -> list[SubgraphRequest]:
        return [request for name, request in self.requests if name == subgraph]


async def run(
    engine: QueryEngine,
    document: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    prepared = engine.prepare(document, operation_name)
    return await engine.execute(prepared, variables, RequestContext())
