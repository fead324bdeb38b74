"""EHB_ROUTER_SUBGRAPH_URLS and the EHB_ROUTER_INSTANCE_* settings."""

import pytest

from router.config import RouterConfig
from router.instance_settings import InstanceSettings


def test_defaults() -> None:
    settings = RouterConfig.from_env({}).instances

    assert settings == InstanceSettings()
    assert settings.check_path == "/health"
    assert settings.subgraph_urls == {}


def test_instance_urls_and_checks_are_read_from_the_environment() -> None:
    settings = InstanceSettings.from_env(
        {
            "EHB_ROUTER_SUBGRAPH_URLS": " media=http://a:4004/graphql|http://b:4004/graphql ,"
            "money=https://m/graphql",
            "EHB_ROUTER_INSTANCE_CHECK_PATH": "/ready",
            "EHB_ROUTER_INSTANCE_CHECK_INTERVAL": "0.5",
            "EHB_ROUTER_INSTANCE_CHECK_TIMEOUT": "0.25",
            "EHB_ROUTER_INSTANCE_UNHEALTHY_AFTER": "3",
            "EHB_ROUTER_INSTANCE_HEALTHY_AFTER": "1",
        }
    )

    assert settings.subgraph_urls == {
        "media": ("http://a:4004/graphql", "http://b:4004/graphql"),
        "money": ("https://m/graphql",),
    }
    assert settings.check_path == "/ready"
    assert (settings.check_interval_seconds, settings.check_timeout_seconds) == (0.5, 0.25)
    assert (settings.unhealthy_after, settings.healthy_after) == (3, 1)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SUBGRAPH_URLS", "media", "name=url1|url2"),
        ("SUBGRAPH_URLS", "media=", "name=url1|url2"),
        ("SUBGRAPH_URLS", "media=a:4004", "not an http"),
        ("INSTANCE_CHECK_PATH", "health", "must start with '/'"),
        ("INSTANCE_CHECK_INTERVAL", "0", "must be positive"),
        ("INSTANCE_UNHEALTHY_AFTER", "1.5", "a whole number"),
    ],
)
def test_malformed_values_are_refused_naming_the_variable(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        InstanceSettings.from_env({f"EHB_ROUTER_{name}": value})
