"""Progressive @override (tests/fixtures/features/override): with no label enabled our router
answers like @apollo/gateway, which always plans with every override label inactive (2.14 passes
no override conditions to its planner). With labels enabled through the configuration the
fields move to pricing; @apollo/gateway cannot do that, so those answers are hand-written."""

from collections.abc import AsyncIterator

import pytest

from router.config import RouterConfig
from router.http.app import create_router_app
from tests.fixtures.benchmark.loopback import LoopbackServer, start_loopback_server
from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    start_differential_gateways,
)
from tests.fixtures.features.override.subgraphs import GRAPH

pytestmark = pytest.mark.npm

OPERATION = "{ products { id name price shippingCost } }"


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.fixture(scope="module")
async def labelled_router(gateways: DifferentialGateways) -> AsyncIterator[LoopbackServer]:
    router = await start_loopback_server(
        create_router_app(
            GRAPH.supergraph_path.read_text(),
            subgraph_urls={name: s.graphql_url for name, s in gateways.subgraphs.items()},
            config=RouterConfig(override_labels=frozenset({"beta-pricing", "beta-shipping"})),
        )
    )
    yield router
    await router.stop()


async def test_without_labels_overridden_fields_stay_with_catalog_as_in_apollo_gateway(
    gateways: DifferentialGateways,
) -> None:
    ours, reference = await gateways.both(OPERATION)

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    assert_no_more_requests(ours, reference)
    assert ours.counts() == {"catalog": 1}


async def test_enabled_labels_move_the_fields_and_their_requirements_to_pricing(
    gateways: DifferentialGateways, labelled_router: LoopbackServer
) -> None:
    outcome = await gateways.run(labelled_router.graphql_url, OPERATION, None)

    assert outcome.body == {
        "data": {
            "products": [
                {"id": "p1", "name": "Kettle", "price": 36, "shippingCost": 4},
                {"id": "p2", "name": "Anvil", "price": 810, "shippingCost": 200},
                {"id": "p3", "name": "Feather", "price": 0, "shippingCost": 1},
            ]
        }
    }
    assert outcome.order() == ["catalog", "pricing"]
    _, pricing = outcome.requests[1]
    assert pricing["variables"]["representations"] == [
        {"__typename": "Product", "id": "p1", "weight": 2},
        {"__typename": "Product", "id": "p2", "weight": 100},
        {"__typename": "Product", "id": "p3", "weight": None},
    ]
