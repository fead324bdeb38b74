"""The pure parts of subscriptions: settings, plan splitting, token deadlines, the payload
forwarded upstream, and when a request asks for an event stream."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.auth import Principal
from router.auth.tokens import LEEWAY_SECONDS
from router.config import RouterConfig
from router.errors import RequestError
from router.executor.subscription import split_subscription_plan
from router.http.serialise import accepts_event_stream
from router.operation.document import load_operation
from router.planner import FetchNode, FlattenNode, QueryPlanner, SequenceNode
from router.subscriptions.stream import connection_payload, token_deadline
from router.supergraph import load_supergraph

SUPERGRAPH = (
    Path(__file__).resolve().parents[2] / "fixtures" / "subscriptions" / "supergraph.graphql"
)


def plan_node(document: str):  # type: ignore[no-untyped-def]
    supergraph = load_supergraph(SUPERGRAPH.read_text())
    operation = load_operation(supergraph.api_schema, document, None)
    planner = QueryPlanner(supergraph)
    return planner.plan(operation).variant(()).node


def test_subscription_settings_have_defaults_and_read_the_environment() -> None:
    defaults = RouterConfig.from_env({})
    assert defaults.websocket_init_timeout_seconds == 10.0
    assert defaults.subscription_keepalive_seconds == 15.0
    config = RouterConfig.from_env(
        {"EHB_ROUTER_WS_INIT_TIMEOUT": "2", "EHB_ROUTER_SUBSCRIPTION_KEEPALIVE": "0.5"}
    )
    assert config.websocket_init_timeout_seconds == 2.0
    assert config.subscription_keepalive_seconds == 0.5
    with pytest.raises(ValueError, match="EHB_ROUTER_SUBSCRIPTION_KEEPALIVE"):
        RouterConfig.from_env({"EHB_ROUTER_SUBSCRIPTION_KEEPALIVE": "0"})


def test_a_subscription_plan_is_an_upstream_subscription_then_entity_fetches() -> None:
    node = plan_node('subscription { notificationAdded(topic: "t") { id order { label } } }')
    assert isinstance(node, SequenceNode)
    root, per_event = split_subscription_plan(node)
    assert isinstance(root, FetchNode)
    assert root.service == "feed"
    assert root.operation.startswith("subscription")
    assert isinstance(per_event, FlattenNode)
    assert per_event.node.service == "shop"


def test_a_subscription_within_one_subgraph_has_nothing_to_run_per_event() -> None:
    root, per_event = split_subscription_plan(plan_node("subscription { countTo(to: 2) }"))
    assert root is not None
    assert root.operation == "subscription{countTo(to: 2)}"
    assert per_event is None


def test_no_plan_means_nothing_to_subscribe_to() -> None:
    assert split_subscription_plan(None) == (None, None)


def test_a_plan_not_starting_with_a_subscription_fetch_is_refused() -> None:
    node = plan_node('{ order(id: "o1") { label } }')
    with pytest.raises(RequestError) as refused:
        split_subscription_plan(node)
    assert refused.value.errors[0]["extensions"]["code"] == "QUERY_PLANNING_FAILED"


def test_a_token_is_accepted_until_exp_plus_the_clock_skew() -> None:
    assert token_deadline(None) is None
    assert token_deadline(Principal("u", claims={"sub": "u"})) is None
    assert token_deadline(Principal("u", claims={"exp": 1000})) == 1000 + LEEWAY_SECONDS
    assert token_deadline(Principal("u", claims={"exp": True})) is None


def test_the_upstream_connection_init_carries_the_forwarded_headers() -> None:
    headers = {"authorization": "Bearer t", "x-tenant": "a", "cookie": "secret"}
    assert connection_payload(headers, ("authorization", "x-tenant")) == {
        "Authorization": "Bearer t",
        "x-tenant": "a",
    }
    assert connection_payload({}, ("authorization",)) == {}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/event-stream", True),
        ("text/event-stream, application/json;q=0.9", True),
        ("application/json, text/event-stream", True),
        ("application/json, text/event-stream;q=0.5", False),
        ("application/graphql-response+json", False),
        ("*/*", False),
        (None, False),
        ("text/event-stream;q=0", False),
    ],
)
def test_an_event_stream_is_served_when_asked_for_first(accept: str | None, expected: bool) -> None:
    assert accepts_event_stream(accept) is expected
