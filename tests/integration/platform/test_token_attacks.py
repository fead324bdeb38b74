"""Forged and stale access tokens against the real platform (issue 4): every attack is built
from identity's own published key and refused by the router with HTTP 401 UNAUTHENTICATED
before any subgraph is asked, and refused again by a subgraph called directly (defence in
depth). A token whose key identity has since dropped from its JWKS stops working too."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import orjson
import pytest

from router.config import RouterConfig
from router.http.app import create_router_app
from subgraphs.identity.keys import ACCESS_TOKEN_TTL_SECONDS, SigningKeys
from subgraphs.kernel.auth import CLOCK_SKEW_SECONDS
from tests.fixtures.benchmark.loopback import bind_ephemeral_socket
from tests.fixtures.tokens import JWKS_PATH, TokenMint
from tests.integration.platform.client import GraphQLClient, Reply
from tests.integration.platform.demo import ALICE
from tests.integration.platform.servers import (
    SUPERGRAPH_PATH,
    Platform,
    Served,
    create_subgraph,
    recorded_requests,
    serve_on,
)

QUERY = "{ me { id } products(first: 1) { edges { node { id } } } }"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def encoded(part: dict) -> str:
    return b64url(orjson.dumps(part))


def parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    return orjson.loads(b64decode(header)), orjson.loads(b64decode(payload)), signature


def unsigned(mint: TokenMint) -> str:
    """`alg: none` with identity's kid and an empty signature."""
    header, payload, _ = parts(mint.token(ALICE, "user", "admin"))
    return f"{encoded({**header, 'alg': 'none'})}.{encoded(payload)}."


def hs256_with(secret: bytes, mint: TokenMint) -> str:
    """HS256 keyed with a public form of identity's key: the algorithm-confusion attack."""
    header, payload, _ = parts(mint.token(ALICE, "user", "admin"))
    signing_input = f"{encoded({**header, 'alg': 'HS256'})}.{encoded(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def public_forms(mint: TokenMint) -> dict[str, bytes]:
    """What an attacker can read from the JWKS, each tried as the HMAC secret."""
    public = mint.keys.signing_key.as_dict(private=False)
    return {
        "raw": b64decode(str(public["x"])),
        "jwk": orjson.dumps(public),
        "pem": mint.keys.signing_key.as_pem(private=False),
    }


def tampered(mint: TokenMint) -> str:
    """A genuine user token whose payload now claims the admin role (signature kept)."""
    header, payload, signature = mint.token(ALICE, "user").split(".")
    claims = orjson.loads(b64decode(payload))
    claims.update(roles=["admin", "user"], scope="admin profile wallets")
    return f"{header}.{encoded(claims)}.{signature}"


ATTACKS: dict[str, Callable[[Platform, Path], str]] = {
    "alg_none": lambda platform, _: unsigned(platform.mint),
    "hs256_public_key_raw": lambda p, _: hs256_with(public_forms(p.mint)["raw"], p.mint),
    "hs256_public_key_jwk": lambda p, _: hs256_with(public_forms(p.mint)["jwk"], p.mint),
    "hs256_public_key_pem": lambda p, _: hs256_with(public_forms(p.mint)["pem"], p.mint),
    "expired": lambda p, _: p.mint.token(ALICE, "user", lifetime=-(CLOCK_SKEW_SECONDS + 60)),
    "wrong_audience": lambda p, _: p.mint.token(ALICE, "user", aud="another-api"),
    "wrong_issuer": lambda p, _: p.mint.token(ALICE, "user", iss="mallory"),
    "tampered_payload": lambda p, _: tampered(p.mint),
    "unpublished_key": lambda _, tmp: TokenMint.in_directory(tmp).token(ALICE, "user"),
}


def bearer_client(platform: Platform, http: aiohttp.ClientSession, token: str) -> GraphQLClient:
    return GraphQLClient(http, platform.graphql_url, {"Authorization": f"Bearer {token}"})


def assert_refused(reply: Reply) -> None:
    assert reply.status == 401, reply.body
    assert "data" not in reply.body
    [error] = reply.errors
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_genuine_token_is_accepted(platform: Platform, http: aiohttp.ClientSession) -> None:
    reply = await bearer_client(platform, http, platform.mint.token(ALICE, "user")).post(QUERY)

    assert reply.status == 200 and "errors" not in reply.body, reply.body
    assert reply.data["me"] == {"id": ALICE}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_a_forged_or_stale_token_is_refused_by_the_router_and_by_the_subgraphs(
    platform: Platform, http: aiohttp.ClientSession, tmp_path: Path, attack: str
) -> None:
    token = ATTACKS[attack](platform, tmp_path)

    with recorded_requests(platform) as seen:
        reply = await bearer_client(platform, http, token).post(QUERY)
    direct = {
        name: await GraphQLClient(
            http, platform.subgraphs[name].graphql_url, {"Authorization": f"Bearer {token}"}
        ).post("{ __typename }")
        for name in ("identity", "money")
    }

    assert_refused(reply)
    assert reply.errors[0]["message"].startswith("Invalid access token")
    assert all(requests == [] for requests in seen.values()), seen
    for name, answer in direct.items():
        assert answer.data is None, (name, answer.body)
        assert [e["extensions"]["code"] for e in answer.errors] == ["UNAUTHENTICATED"], name


@asynccontextmanager
async def own_identity_and_router(
    platform: Platform, data_dir: Path, *, jwks_max_age_seconds: float
) -> AsyncIterator[tuple[Served, Served]]:
    """An identity on the platform's database with its own development keys under `data_dir`,
    and a router verifying against that identity's JWKS (cached `jwks_max_age_seconds`)."""
    settings = platform.settings["identity"].model_copy(update={"data_dir": data_dir})
    identity = await serve_on(
        "identity", create_subgraph("identity", settings), bind_ephemeral_socket()
    )
    try:
        urls = {name: served.graphql_url for name, served in platform.subgraphs.items()}
        urls["identity"] = identity.graphql_url
        config = RouterConfig(
            health_probe_timeout_seconds=2.0,
            subgraph_connect_timeout_seconds=2.0,
            jwks_url=f"{identity.base_url}{JWKS_PATH}",
            jwks_max_age_seconds=jwks_max_age_seconds,
            jwks_min_refetch_seconds=0.0,
        )
        app = create_router_app(SUPERGRAPH_PATH.read_text(), subgraph_urls=urls, config=config)
        router = await serve_on("router", app, bind_ephemeral_socket())
        try:
            yield identity, router
        finally:
            await router.stop()
    finally:
        await identity.stop()


def identity_mint(platform: Platform, keys_dir: Path) -> TokenMint:
    """Signs with the newest development key in `keys_dir`, for the platform's issuer and
    audience."""
    settings = platform.settings["identity"]
    return TokenMint(
        SigningKeys.from_directory(keys_dir),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )


async def test_a_token_from_a_key_identity_has_removed_is_refused(
    platform: Platform, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    keys_dir = tmp_path / "identity-keys"
    # The old key was created two hours ago; its tokens are still within their own `exp`.
    SigningKeys.from_directory(keys_dir, now=time.time() - 7200)
    token = identity_mint(platform, keys_dir).token(ALICE, "user", lifetime=3600)
    max_age = 0.3

    async with own_identity_and_router(platform, tmp_path, jwks_max_age_seconds=max_age) as (
        identity,
        router,
    ):
        client = GraphQLClient(http, router.graphql_url, {"Authorization": f"Bearer {token}"})
        before = await client.post("{ me { id } }")
        assert before.data == {"me": {"id": ALICE}}, before.body

        # A newer key took over longer ago than any token of the old key can live: identity
        # drops the old key from its JWKS at the next look.
        grace = ACCESS_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS
        new_key = SigningKeys.from_directory(keys_dir).rotate(now=time.time() - grace - 60)
        async with http.get(f"{identity.base_url}{JWKS_PATH}") as response:
            published = [key["kid"] for key in (await response.json())["keys"]]
        assert published == [new_key.kid]

        await asyncio.sleep(max_age + 0.1)  # the router's cached key set is now stale
        after = await client.post("{ me { id } }")
        at_identity = await GraphQLClient(
            http, identity.graphql_url, {"Authorization": f"Bearer {token}"}
        ).post("{ __typename }")
        new_token = identity_mint(platform, keys_dir).token(ALICE, "user")
        fresh = await client.with_headers({"Authorization": f"Bearer {new_token}"}).post(
            "{ me { id } }"
        )

    assert_refused(after)
    assert "does not publish" in after.errors[0]["message"], after.errors
    assert at_identity.data is None
    assert at_identity.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert fresh.data == {"me": {"id": ALICE}}, fresh.body
