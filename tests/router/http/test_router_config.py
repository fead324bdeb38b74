import pytest

from router.config import RouterConfig


def test_an_empty_environment_gives_the_safe_defaults() -> None:
    config = RouterConfig.from_env({})

    assert config == RouterConfig()
    assert config.subgraph_timeout_seconds == 30.0
    assert config.subgraph_keepalive_seconds < 5.0
    assert config.forwarded_headers == ("authorization",)


def test_settings_are_read_from_prefixed_variables() -> None:
    config = RouterConfig.from_env(
        {
            "EHB_ROUTER_SUBGRAPH_TIMEOUT": "2.5",
            "EHB_ROUTER_SUBGRAPH_MAX_CONNECTIONS": "8",
            "EHB_ROUTER_MAX_REQUEST_BYTES": "4096",
            "EHB_ROUTER_PLAN_CACHE_SIZE": "16",
            "EHB_ROUTER_HEALTH_PROBE_TIMEOUT": "0.5",
            "EHB_ROUTER_SHUTDOWN_GRACE": "3",
            "EHB_ROUTER_FORWARD_HEADERS": "Authorization, X-Tenant ,",
            "SUBGRAPH_TIMEOUT": "99",
        }
    )

    assert config.subgraph_timeout_seconds == 2.5
    assert config.subgraph_max_connections == 8
    assert config.max_request_bytes == 4096
    assert config.plan_cache_size == 16
    assert config.health_probe_timeout_seconds == 0.5
    assert config.shutdown_grace_seconds == 3.0
    assert config.forwarded_headers == ("authorization", "x-tenant")


def test_an_empty_forward_headers_variable_forwards_nothing() -> None:
    assert RouterConfig.from_env({"EHB_ROUTER_FORWARD_HEADERS": ""}).forwarded_headers == ()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("EHB_ROUTER_SUBGRAPH_TIMEOUT", "soon", "must be a number"),
        ("EHB_ROUTER_SUBGRAPH_TIMEOUT", "0", "must be positive"),
        ("EHB_ROUTER_MAX_REQUEST_BYTES", "-1", "must be positive"),
        ("EHB_ROUTER_PLAN_CACHE_SIZE", "1.5", "must be a whole number"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{variable} {message}, got '{value}'$"):
        RouterConfig.from_env({variable: value})


def test_override_labels_are_a_comma_separated_set_of_custom_labels() -> None:
    assert RouterConfig.from_env({}).override_labels == frozenset()
    config = RouterConfig.from_env({"EHB_ROUTER_OVERRIDE_LABELS": " beta-shipping, my-flag ,,"})
    assert config.override_labels == {"beta-shipping", "my-flag"}


def test_per_subgraph_timeouts_and_deduplication_switch() -> None:
    defaults = RouterConfig.from_env({})
    assert defaults.subgraph_timeouts == {}
    assert defaults.deduplicate_subgraph_fetches is True
    assert defaults.deduplicate_queries is True
    assert defaults.server_timing is False

    config = RouterConfig.from_env(
        {"EHB_ROUTER_SUBGRAPH_TIMEOUTS": "inventory=0.5, reviews = 2,", "EHB_ROUTER_DEDUP": "0"}
    )

    assert config.subgraph_timeouts == {"inventory": 0.5, "reviews": 2.0}
    assert config.deduplicate_subgraph_fetches is False
    assert config.deduplicate_queries is False


def test_server_timing_is_switched_on_with_1() -> None:
    assert RouterConfig.from_env({"EHB_ROUTER_SERVER_TIMING": "1"}).server_timing is True
    with pytest.raises(ValueError, match=r"^EHB_ROUTER_SERVER_TIMING must be 1 or 0"):
        RouterConfig.from_env({"EHB_ROUTER_SERVER_TIMING": "sometimes"})


@pytest.mark.parametrize("value", ["inventory", "inventory=0", "=2", "inventory=soon"])
def test_a_malformed_per_subgraph_timeout_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"^EHB_ROUTER_SUBGRAPH_TIMEOUTS must be name=seconds"):
        RouterConfig.from_env({"EHB_ROUTER_SUBGRAPH_TIMEOUTS": value})


def test_a_malformed_deduplication_switch_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^EHB_ROUTER_DEDUP must be 1 or 0, got 'maybe'$"):
        RouterConfig.from_env({"EHB_ROUTER_DEDUP": "maybe"})
