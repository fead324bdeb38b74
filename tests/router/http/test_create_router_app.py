"""create_router_app: refuses unusable supergraphs at once; its lifespan owns the HTTP client."""

import re
from pathlib import Path

import pytest

from router.config import RouterConfig
from router.errors import SubgraphUnavailable, SupergraphError
from router.http.app import create_router_app
from router.http.state import STATE_KEY, RouterState
from router.planner import print_plan
from router.types import RequestContext, SubgraphRequest
from tests.fixtures.benchmark.data import FIXTURE_DIR
from tests.fixtures.benchmark.loopback import unused_loopback_port

REPO_ROOT = Path(__file__).resolve().parents[3]
SUPERGRAPH_SDL = (FIXTURE_DIR / "supergraph.apollo.graphql").read_text()


def test_a_schema_that_is_not_a_supergraph_is_refused_before_serving() -> None:
    with pytest.raises(SupergraphError):
        create_router_app("type Query { hello: String }", config=RouterConfig())


def test_a_url_override_for_an_unknown_subgraph_is_refused() -> None:
    with pytest.raises(SupergraphError, match="nosuch"):
        create_router_app(
            SUPERGRAPH_SDL, subgraph_urls={"nosuch": "http://127.0.0.1:1/"}, config=RouterConfig()
        )


async def test_the_lifespan_builds_the_router_from_the_supergraph_and_closes_its_client() -> None:
    reviews_port = unused_loopback_port()
    app = create_router_app(
        SUPERGRAPH_SDL,
        subgraph_urls={"reviews": f"http://127.0.0.1:{reviews_port}/graphql"},
        config=RouterConfig(plan_cache_size=8),
    )

    async with app.router.lifespan_context(app) as lifespan_state:
        assert lifespan_state is not None
        state = lifespan_state[STATE_KEY].current
        assert isinstance(state, RouterState)
        assert state.subgraph_names == ("accounts", "inventory", "products", "reviews")
        assert state.engine.prepare("{ me { id } }", None).operation_type == "query"
        with pytest.raises(
            SubgraphUnavailable, match=f"cannot connect to 127.0.0.1:{reviews_port}"
        ):
            await state.fetcher(
                "reviews", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
            )

    with pytest.raises(RuntimeError, match="the subgraph client is closed"):
        await state.fetcher(
            "accounts", SubgraphRequest(query="{ a }", operation_kind="query"), RequestContext()
        )


async def test_the_configured_override_labels_reach_the_planner() -> None:
    sdl = (REPO_ROOT / "tests" / "router" / "fixtures" / "override_labels.graphql").read_text()
    operation = '{ product(id: "1") { shippingCost } }'
    for labels, services in [
        (frozenset(), ["catalog"]),
        (frozenset({"beta-shipping"}), ["catalog", "pricing"]),
    ]:
        app = create_router_app(sdl, config=RouterConfig(override_labels=labels))
        async with app.router.lifespan_context(app) as lifespan_state:
            assert lifespan_state is not None
            plan = print_plan(
                lifespan_state[STATE_KEY].current.engine.prepare(operation, None).plan
            )
            assert re.findall(r'service: "(\w+)"', plan) == services
