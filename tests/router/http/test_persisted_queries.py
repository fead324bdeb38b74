"""Automatic persisted queries (Apollo's APQ protocol, memory and Redis caches) and the safelist
of a persisted query manifest, over HTTP (POST and GET) and WebSocket."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from router.config import RouterConfig
from router.http.app import create_router_app
from router.operation.persisted_queries import MemoryQueryCache, PersistedQueryConfig
from tests.router.http.edge_router import (
    PREFLIGHT,
    SUPERGRAPH_SDL,
    USER_DATA,
    USER_QUERY,
    codes,
    get,
    graphql_websocket,
    persisted,
    post,
    serving_router,
    sha256_hex,
    websocket_operation,
)

USERS_QUERY = "query Users { users { name } }"


def _config(**options: Any) -> RouterConfig:
    return RouterConfig(persisted_queries=PersistedQueryConfig(**options))


def _manifest(path: Path, *bodies: str) -> str:
    operations = [
        {"id": sha256_hex(body), "name": body.split()[1], "type": "query", "body": body}
        for body in bodies
    ]
    path.write_bytes(
        orjson.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return str(path)


async def test_an_unknown_hash_asks_for_the_query_then_the_hash_alone_works(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    hash_only = {"extensions": persisted(USER_QUERY)}
    async with serving_router(subgraph_urls, RouterConfig()) as router:
        unknown = await post(client, router.graphql_url, hash_only)
        registered = await post(
            client, router.graphql_url, {"query": USER_QUERY, "extensions": persisted(USER_QUERY)}
        )
        known = await post(client, router.graphql_url, hash_only)
        # GET, as CDN-cached APQ clients send it.
        by_get = await get(
            client,
            router.graphql_url,
            {"extensions": orjson.dumps(persisted(USER_QUERY)).decode()},
            PREFLIGHT,
        )

    assert unknown[0] == 200
    assert codes(unknown[1]) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert unknown[1]["errors"][0]["message"] == "PersistedQueryNotFound"
    assert (registered[0], registered[1]) == (200, {"data": USER_DATA})
    assert (known[0], known[1]) == (200, {"data": USER_DATA})
    assert (by_get[0], by_get[1]) == (200, {"data": USER_DATA})


async def test_a_query_whose_hash_does_not_match_is_refused_and_not_stored(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    lying = {"query": USERS_QUERY, "extensions": persisted(USER_QUERY)}
    async with serving_router(subgraph_urls, RouterConfig()) as router:
        mismatch = await post(client, router.graphql_url, lying)
        afterwards = await post(client, router.graphql_url, {"extensions": persisted(USER_QUERY)})

    assert mismatch[0] == 400
    assert codes(mismatch[1]) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert codes(afterwards[1]) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ({"persistedQuery": {"version": 2, "sha256Hash": "ab"}}, "version 1"),
        ({"persistedQuery": {"version": 1}}, "sha256Hash' must be a string"),
        ({"persistedQuery": "abc"}, "must be an object"),
    ],
)
async def test_malformed_persisted_query_extensions_are_bad_requests(
    subgraph_urls: dict[str, str],
    client: aiohttp.ClientSession,
    extensions: dict[str, Any],
    message: str,
) -> None:
    async with serving_router(subgraph_urls, RouterConfig()) as router:
        status, body, _ = await post(client, router.graphql_url, {"extensions": extensions})

    assert status == 400
    assert codes(body) == ["BAD_REQUEST"]
    assert message in body["errors"][0]["message"]


async def test_with_apq_off_a_hash_is_not_supported_but_queries_run(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession
) -> None:
    async with serving_router(subgraph_urls, _config(apq=False)) as router:
        hash_only = await post(client, router.graphql_url, {"extensions": persisted(USER_QUERY)})
        plain = await post(client, router.graphql_url, {"query": USER_QUERY})

    assert codes(hash_only[1]) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    assert plain[1] == {"data": USER_DATA}


@pytest.mark.redis
async def test_router_instances_share_persisted_queries_in_redis(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession, redis_url: str
) -> None:
    config = _config(cache_url=redis_url, key_prefix=f"test-apq-{uuid.uuid4().hex}:")
    async with (
        serving_router(subgraph_urls, config) as first,
        serving_router(subgraph_urls, config) as second,
    ):
        before = await post(client, second.graphql_url, {"extensions": persisted(USER_QUERY)})
        await post(
            client, first.graphql_url, {"query": USER_QUERY, "extensions": persisted(USER_QUERY)}
        )
        after = await post(client, second.graphql_url, {"extensions": persisted(USER_QUERY)})

    assert codes(before[1]) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert after[1] == {"data": USER_DATA}


async def test_the_memory_cache_keeps_the_most_recently_used_documents() -> None:
    cache = MemoryQueryCache(2)
    await cache.set("a", "{ a }")
    await cache.set("b", "{ b }")
    assert await cache.get("a") == "{ a }"
    await cache.set("c", "{ c }")

    assert [await cache.get(key) for key in ("a", "b", "c")] == ["{ a }", None, "{ c }"]


async def test_a_safelist_runs_only_listed_operations(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    manifest = _manifest(tmp_path / "manifest.json", USER_QUERY)
    reformatted = (
        'query User {\n  user(id: "3") {\n    name\n  }\n}\n# listed, differently laid out'
    )
    async with serving_router(subgraph_urls, _config(safelist_path=manifest)) as router:
        by_id = await post(client, router.graphql_url, {"extensions": persisted(USER_QUERY)})
        by_body = await post(client, router.graphql_url, {"query": reformatted})
        unlisted = await post(client, router.graphql_url, {"query": USERS_QUERY})
        unknown_id = await post(client, router.graphql_url, {"extensions": persisted(USERS_QUERY)})
        # APQ registration is no way around the list.
        registering = await post(
            client, router.graphql_url, {"query": USERS_QUERY, "extensions": persisted(USERS_QUERY)}
        )

    assert (by_id[0], by_id[1]) == (200, {"data": USER_DATA})
    assert (by_body[0], by_body[1]) == (200, {"data": USER_DATA})
    assert unlisted[0] == 400
    assert codes(unlisted[1]) == ["QUERY_NOT_IN_SAFELIST"]
    assert codes(unknown_id[1]) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert codes(registering[1]) == ["PERSISTED_QUERY_NOT_IN_LIST"]


async def test_a_safelist_requiring_ids_refuses_documents(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    manifest = _manifest(tmp_path / "manifest.json", USER_QUERY)
    config = _config(safelist_path=manifest, require_id=True)
    async with serving_router(subgraph_urls, config) as router:
        by_id = await post(client, router.graphql_url, {"extensions": persisted(USER_QUERY)})
        by_body = await post(client, router.graphql_url, {"query": USER_QUERY})

    assert by_id[1] == {"data": USER_DATA}
    assert codes(by_body[1]) == ["PERSISTED_QUERY_ID_REQUIRED"]


async def test_websocket_subscribe_messages_go_through_the_safelist(
    subgraph_urls: dict[str, str], client: aiohttp.ClientSession, tmp_path: Path
) -> None:
    manifest = _manifest(tmp_path / "manifest.json", USER_QUERY)
    async with serving_router(subgraph_urls, _config(safelist_path=manifest)) as router:
        ws_url = router.graphql_url.replace("http://", "ws://")
        async with graphql_websocket(client, ws_url) as ws:
            by_id = await websocket_operation(ws, "1", {"extensions": persisted(USER_QUERY)})
            unlisted = await websocket_operation(ws, "2", {"query": USERS_QUERY})

    assert by_id == {"id": "1", "type": "next", "payload": {"data": USER_DATA}}
    assert unlisted["type"] == "error"
    assert [error["extensions"]["code"] for error in unlisted["payload"]] == [
        "QUERY_NOT_IN_SAFELIST"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not JSON"),
        (b'{"format": "other", "version": 1, "operations": []}', "apollo-persisted-query-manifest"),
        (
            b'{"format": "apollo-persisted-query-manifest", "version": 1, '
            b'"operations": [{"id": 1}]}',
            "operation 0",
        ),
        (
            b'{"format": "apollo-persisted-query-manifest", "version": 1, '
            b'"operations": [{"id": "x", "body": "query {"}]}',
            "operation 'x'",
        ),
    ],
)
def test_an_unusable_manifest_stops_the_router_before_it_serves(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        create_router_app(SUPERGRAPH_SDL, config=_config(safelist_path=str(path)))


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    config = RouterConfig.from_env(
        {
            "EHB_ROUTER_APQ_CACHE": "redis://cache:6379/1",
            "EHB_ROUTER_SAFELIST": "/etc/ehb/manifest.json",
            "EHB_ROUTER_SAFELIST_REQUIRE_ID": "1",
        }
    ).persisted_queries

    assert config.cache_url == "redis://cache:6379/1"
    assert config.safelist_path == "/etc/ehb/manifest.json"
    assert config.require_id
    assert RouterConfig.from_env({"EHB_ROUTER_APQ": "0"}).persisted_queries.apq is False
    with pytest.raises(ValueError, match="EHB_ROUTER_APQ"):
        RouterConfig.from_env({"EHB_ROUTER_APQ_CACHE": "memcached://x"})
    with pytest.raises(ValueError, match="needs a safelist"):
        RouterConfig.from_env({"EHB_ROUTER_SAFELIST_REQUIRE_ID": "1"})
