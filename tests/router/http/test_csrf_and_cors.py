"""CSRF prevention (a GET needs a preflight header, as Apollo Router asks) and configurable
CORS (Starlette's CORSMiddleware; no CORS headers unless origins are configured)."""

from __future__ import annotations

import aiohttp
import pytest

from router.config import RouterConfig
from router.http.cors import CorsConfig
from router.http.csrf import CsrfConfig
from tests.router.http.edge_router import (
    USER_DATA,
    USER_QUERY,
    codes,
    get,
    serving_router,
)

APP_ORIGIN = "https://app.example.com"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 400),
        ({"content-type": "text/plain"}, 400),
        ({"apollo-require-preflight": ""}, 400),
        ({"apollo-require-preflight": "true"}, 200),
        ({"x-apollo-operation-name": "User"}, 200),
        ({"content-type": "application/json"}, 200),
    ],
)
async def test_a_get_without_a_preflight_header_is_refused(
    subgraph_urls: dict[str, str],
    client: aiohttp.ClientSession,
    headers: dict[str, str],
    status: int,
) -> None:
    async with serving_router(subgraph_urls, RouterConfig()) as router:
        answer = await get(client, router.graphql_url, {"query": USER_QUERY}, headers)

    assert answer[0] == status
    if status == 400:
        assert codes(answer[1]) == ["CSRF_PREVENTED"]
        assert "apollo-require-preflight" in answer[1]["errors"][0]["message"]
    else:
        assert answer[1] == {"data": USER_DATA}


async def test_a_post_that_is_not_json_is_still_415(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with (
        serving_router(subgraph_urls, RouterConfig()) as router,
        client.post(
            router.graphql_url, data=USER_QUERY, headers={"content-type": "text/plain"}
        ) as response,
    ):
        status = response.status

    assert status == 415


async def test_the_required_headers_are_configurable_and_the_check_can_be_off(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    custom = RouterConfig(csrf=CsrfConfig(required_headers=("x-ehb-client",)))
    async with serving_router(subgraph_urls, custom) as router:
        custom_header = await get(
            client, router.graphql_url, {"query": USER_QUERY}, {"x-ehb-client": "web"}
        )
        apollo_header = await get(
            client, router.graphql_url, {"query": USER_QUERY}, {"apollo-require-preflight": "1"}
        )
    async with serving_router(
        subgraph_urls, RouterConfig(csrf=CsrfConfig(enabled=False))
    ) as router:
        unchecked = await get(client, router.graphql_url, {"query": USER_QUERY})

    assert custom_header[0] == 200
    assert codes(apollo_header[1]) == ["CSRF_PREVENTED"]
    assert unchecked[0] == 200


async def test_without_configured_origins_there_are_no_cors_headers(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, RouterConfig()) as router:
        async with client.post(
            router.graphql_url, json={"query": USER_QUERY}, headers={"origin": APP_ORIGIN}
        ) as response:
            simple = response.headers
        async with client.options(
            router.graphql_url,
            headers={"origin": APP_ORIGIN, "access-control-request-method": "POST"},
        ) as response:
            preflight_status = response.status

    assert "access-control-allow-origin" not in simple
    assert preflight_status == 405


async def test_configured_origins_get_cors_headers_and_others_do_not(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    config = RouterConfig(
        cors=CorsConfig(origins=(APP_ORIGIN,), allow_credentials=True, max_age_seconds=300)
    )
    preflight = {
        "access-control-request-method": "GET",
        "access-control-request-headers": "apollo-require-preflight, authorization",
    }
    async with serving_router(subgraph_urls, config) as router:
        async with client.options(
            router.graphql_url, headers={"origin": APP_ORIGIN, **preflight}
        ) as response:
            allowed_status, allowed = response.status, response.headers
        async with client.options(
            router.graphql_url, headers={"origin": "https://evil.example", **preflight}
        ) as response:
            refused_status, refused = response.status, response.headers
        async with client.post(
            router.graphql_url, json={"query": USER_QUERY}, headers={"origin": APP_ORIGIN}
        ) as response:
            actual = response.headers

    assert allowed_status == 200
    assert allowed["access-control-allow-origin"] == APP_ORIGIN
    assert allowed["access-control-allow-credentials"] == "true"
    assert allowed["access-control-max-age"] == "300"
    assert "apollo-require-preflight" in allowed["access-control-allow-headers"]
    assert refused_status == 400
    assert "access-control-allow-origin" not in refused
    assert actual["access-control-allow-origin"] == APP_ORIGIN
    assert actual["access-control-expose-headers"] == "x-request-id"


def test_settings_come_from_the_environment() -> None:
    config = RouterConfig.from_env(
        {
            "EHB_ROUTER_CSRF_REQUIRED_HEADERS": "X-EHB-Client, apollo-require-preflight",
            "EHB_ROUTER_CORS_ORIGINS": "https://app.example.com/, http://localhost:5173",
            "EHB_ROUTER_CORS_ALLOW_CREDENTIALS": "1",
            "EHB_ROUTER_CORS_ALLOW_HEADERS": "X-Trace",
            "EHB_ROUTER_CORS_MAX_AGE": "60",
        }
    )

    assert config.csrf == CsrfConfig(
        enabled=True, required_headers=("x-ehb-client", "apollo-require-preflight")
    )
    assert config.cors == CorsConfig(
        origins=("https://app.example.com", "http://localhost:5173"),
        allow_credentials=True,
        allow_headers=("x-trace",),
        max_age_seconds=60,
    )
    assert RouterConfig.from_env({"EHB_ROUTER_CSRF": "0"}).csrf.enabled is False
    assert RouterConfig.from_env({}).cors.origins == ()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"EHB_ROUTER_CORS_ORIGINS": "*", "EHB_ROUTER_CORS_ALLOW_CREDENTIALS": "1"},
            "cannot be allowed for every origin",
        ),
        ({"EHB_ROUTER_CORS_ORIGINS": "app.example.com"}, "http(s)://host"),
        ({"EHB_ROUTER_CORS_MAX_AGE": "soon"}, "a whole number"),
        ({"EHB_ROUTER_CSRF": "maybe"}, "EHB_ROUTER_CSRF must be 1 or 0"),
    ],
)
def test_unusable_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        RouterConfig.from_env(env)
    assert message in str(raised.value)
