"""The router's token verifier against a real JWKS served on a loopback port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from router.auth import JwksCache, TokenRejected, TokenVerifier
from router.auth.jwks import JwksUnavailable
from tests.fixtures.authorization.issuer import (
    AUDIENCE,
    ISSUER,
    JWKS_PATH,
    TokenIssuer,
    new_key,
    tampered,
)
from tests.fixtures.benchmark.loopback import start_loopback_server, unused_loopback_port


class Served:
    def __init__(self, issuer: TokenIssuer, url: str, session: aiohttp.ClientSession) -> None:
        self.issuer, self.url, self.session = issuer, url, session

    def verifier(self, **cache_options: float) -> tuple[TokenVerifier, JwksCache]:
        cache = JwksCache(self.session, self.url, **cache_options)
        return TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE), cache


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    issuer = TokenIssuer()
    server = await start_loopback_server(issuer.app())
    session = aiohttp.ClientSession()
    try:
        yield Served(issuer, f"{server.base_url}{JWKS_PATH}", session)
    finally:
        await session.close()
        await server.stop()


async def rejected(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(TokenRejected) as caught:
        await verifier.verify(token)
    return str(caught.value)


async def test_a_valid_token_gives_its_principal(served: Served) -> None:
    verifier, _ = served.verifier()
    token = served.issuer.token(sub="u-42", roles=["user", "seller"], scope="profile seller")
    principal = await verifier.verify(token)
    assert principal.subject == "u-42"
    assert principal.roles == {"user", "seller"}
    assert principal.scopes == {"profile", "seller"}
    assert principal.claims["amr"] == ["pwd"]


async def test_alg_none_is_refused(served: Served) -> None:
    verifier, cache = served.verifier()
    message = await rejected(verifier, served.issuer.unsigned_token())
    assert "'none'" in message and "not accepted" in message
    assert cache.fetches == 0  # refused before any key is looked at


async def test_hs256_keyed_with_the_public_key_is_refused(served: Served) -> None:
    verifier, _ = served.verifier()
    assert "'HS256'" in await rejected(verifier, served.issuer.hs256_token())


async def test_an_expired_token_is_refused(served: Served) -> None:
    verifier, _ = served.verifier()
    now = int(time.time())
    token = served.issuer.token(iat=now - 1000, exp=now - 31)
    assert await rejected(verifier, token) == "the token has expired"


async def test_thirty_seconds_of_clock_skew_are_tolerated(served: Served) -> None:
    verifier, _ = served.verifier()
    now = int(time.time())
    principal = await verifier.verify(served.issuer.token(iat=now + 20, exp=now + 900))
    assert principal.subject == "user-1"
    principal = await verifier.verify(served.issuer.token(iat=now - 1000, exp=now - 20))
    assert principal.subject == "user-1"
    assert "issue time" in await rejected(verifier, served.issuer.token(iat=now + 120))


async def test_a_wrong_audience_is_refused(served: Served) -> None:
    verifier, _ = served.verifier()
    message = await rejected(verifier, served.issuer.token(aud="another-api"))
    assert "audience" in message


async def test_a_wrong_issuer_is_refused(served: Served) -> None:
    verifier, _ = served.verifier()
    message = await rejected(verifier, served.issuer.token(iss="evil-identity"))
    assert "issuer" in message


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "iss", "aud"])
async def test_required_claims_must_be_present(served: Served, claim: str) -> None:
    verifier, _ = served.verifier()
    message = await rejected(verifier, served.issuer.token(**{claim: None}))
    assert "lacks required claims" in message and claim in message


async def test_a_tampered_payload_is_refused(served: Served) -> None:
    verifier, _ = served.verifier()
    token = tampered(served.issuer.token(), roles=["admin"], scope="admin")
    assert await rejected(verifier, token) == "the token's signature is invalid"


async def test_a_token_signed_by_an_unpublished_key_is_refused(served: Served) -> None:
    verifier, _ = served.verifier()
    stranger = new_key()
    message = await rejected(verifier, served.issuer.token(key=stranger))
    assert message == "the token is signed with a key the issuer does not publish"


async def test_a_key_removed_from_the_jwks_stops_verifying_after_refresh(served: Served) -> None:
    verifier, cache = served.verifier()
    old = served.issuer.current
    token = served.issuer.token()
    assert (await verifier.verify(token)).subject == "user-1"
    served.issuer.rotate()
    served.issuer.retire(old)
    await cache.refresh()
    assert "does not publish" in await rejected(verifier, token)


async def test_the_cached_set_expires_and_is_refetched(served: Served) -> None:
    verifier, cache = served.verifier(max_age_seconds=0.05)
    old = served.issuer.current
    token = served.issuer.token()
    await verifier.verify(token)
    served.issuer.rotate()
    served.issuer.retire(old)
    await asyncio.sleep(0.06)
    assert "does not publish" in await rejected(verifier, token)
    assert cache.fetches == 2


async def test_an_unknown_kid_refetches_and_finds_a_rotated_key(served: Served) -> None:
    verifier, cache = served.verifier(min_refetch_seconds=0)
    await verifier.verify(served.issuer.token())
    assert cache.fetches == 1
    served.issuer.rotate()
    principal = await verifier.verify(served.issuer.token(sub="after-rotation"))
    assert principal.subject == "after-rotation"
    assert cache.fetches == 2


async def test_refetches_for_unknown_kids_are_rate_limited(served: Served) -> None:
    verifier, cache = served.verifier(min_refetch_seconds=60)
    await verifier.verify(served.issuer.token())
    for _ in range(5):
        await rejected(verifier, served.issuer.token(key=new_key()))
    assert cache.fetches == 1
    assert served.issuer.jwks_requests == 1


async def test_concurrent_requests_share_one_fetch(served: Served) -> None:

    verifier, cache = served.verifier()
    tokens = [served.issuer.token(sub=f"u{i}") for i in range(10)]
    principals = await asyncio.gather(*(verifier.verify(token) for token in tokens))
    assert [p.subject for p in principals] == [f"u{i}" for i in range(10)]
    assert cache.fetches == 1


async def test_requests_arriving_during_the_first_fetch_wait_for_it(served: Served) -> None:
    verifier, cache = served.verifier()
    first = asyncio.ensure_future(verifier.verify(served.issuer.token(sub="early")))
    for _ in range(3):  # the first fetch is under way, not finished
        await asyncio.sleep(0)
    later = [verifier.verify(served.issuer.token(sub=f"later{i}")) for i in range(5)]

    principals = await asyncio.gather(first, *later)

    assert [p.subject for p in principals] == ["early"] + [f"later{i}" for i in range(5)]
    assert cache.fetches == 1


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "!!!.e30.sig", "e30.e30.", "bnVsbA.e30.c2ln"],
)
async def test_malformed_tokens_are_refused(served: Served, token: str) -> None:
    verifier, _ = served.verifier()
    await rejected(verifier, token)


async def test_an_unreachable_jwks_is_unavailable_not_a_bad_token(served: Served) -> None:
    cache = JwksCache(served.session, f"http://127.0.0.1:{unused_loopback_port()}/jwks.json")
    verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(JwksUnavailable):
        await verifier.verify(served.issuer.token())


async def test_a_verified_token_stops_working_when_it_expires(served: Served) -> None:
    cache = JwksCache(served.session, served.url)
    now = [time.time()]
    verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE, clock=lambda: now[0])
    token = served.issuer.token(iat=int(now[0]), exp=int(now[0]) + 60)
    assert (await verifier.verify(token)).subject == "user-1"
    now[0] += 60 + 29
    assert (await verifier.verify(token)).subject == "user-1"  # within the leeway
    now[0] += 2
    assert await rejected(verifier, token) == "the token has expired"


async def test_a_verified_token_is_not_checked_again(served: Served) -> None:
    verifier, _ = served.verifier()
    token = served.issuer.token()
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first
