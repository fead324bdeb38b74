"""The kernel's token verifier (every subgraph) against identity's real keys and JWKS.

The attacks of issue 4, each refused: `alg: none`, HS256 signed with the public key as secret,
an expired token, wrong `aud`/`iss`, a tampered payload, a key the issuer does not (or no longer)
publishes. Over HTTP: the money subgraph verifies with `EHB_JWKS_URL` pointed at a running
identity; no header is anonymous, a bad token answers UNAUTHENTICATED and runs nothing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from subgraphs.identity.keys import SigningKeys, generate_signing_key
from subgraphs.identity.tokens import issue_access_token
from subgraphs.kernel.auth import (
    EDDSA_ONLY,
    JWKS_RETRY_SECONDS,
    InvalidToken,
    JwksKeySource,
    KeysUnavailable,
    StaticKeySource,
    TokenVerifier,
    bearer_token,
)
from subgraphs.kernel.testing import RunningSubgraph, running_subgraph, serve_app
from subgraphs.money.app import create_app as create_money_app
from tests.fixtures.benchmark.loopback import unused_loopback_port

ISSUER = "ehb-identity"
AUDIENCE = "ehb-api"


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload), signature


@pytest.fixture
def keys(tmp_path) -> SigningKeys:
    return SigningKeys.from_directory(tmp_path / "identity-keys")


def issue(keys: SigningKeys, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "user_id": "user-1",
        "session_id": "session-1",
        "roles": ["user"],
        "amr": ["pwd"],
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    arguments.update(overrides)
    token, _ = issue_access_token(keys, **arguments)
    return token


def verifier_for(keys: SigningKeys) -> TokenVerifier:
    return TokenVerifier(StaticKeySource(keys.key_set), issuer=ISSUER, audience=AUDIENCE)


async def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    assert caught.value.extensions["code"] == "UNAUTHENTICATED"
    return caught.value.message


async def test_a_genuine_token_verifies_into_claims(keys):
    claims = await verifier_for(keys).verify(issue(keys, roles=["admin", "user"]))

    assert claims.user_id == "user-1"
    assert claims.session_id == "session-1"
    assert claims.roles == {"admin", "user"}
    assert "admin" in claims.scopes and "wallets" in claims.scopes
    assert claims.amr == ("pwd",)


async def test_alg_none_is_refused(keys):
    header, payload, _ = segments(issue(keys))
    forged = f"{b64({**header, 'alg': 'none'})}.{b64({**payload, 'roles': ['admin']})}."

    assert "EdDSA" in await refused(verifier_for(keys), forged)


async def test_hs256_signed_with_the_public_key_as_secret_is_refused(keys):
    public = keys.signing_key.as_dict(private=False)
    secret = OctKey.import_key(json.dumps(public).encode())
    _, payload, _ = segments(issue(keys))
    header = {"alg": "HS256", "typ": "JWT", "kid": public["kid"]}
    forged = jwt.encode(header, {**payload, "roles": ["admin"]}, secret, algorithms=["HS256"])
    also_forged = jwt.encode(
        header, payload, OctKey.import_key(public["x"].encode()), algorithms=["HS256"]
    )

    assert "EdDSA" in await refused(verifier_for(keys), forged)
    assert "EdDSA" in await refused(verifier_for(keys), also_forged)


async def test_an_expired_token_is_refused_beyond_the_clock_skew(keys):
    long_ago = int(time.time()) - 15 * 60 - 31
    within_skew = int(time.time()) - 15 * 60 + 20

    assert "expired" in await refused(verifier_for(keys), issue(keys, now=long_ago))
    assert (await verifier_for(keys).verify(issue(keys, now=within_skew))).user_id == "user-1"


async def test_a_token_issued_in_the_future_is_refused(keys):
    assert await refused(verifier_for(keys), issue(keys, now=int(time.time()) + 120))


async def test_wrong_audience_or_issuer_is_refused(keys):
    assert "aud" in await refused(verifier_for(keys), issue(keys, audience="another-api"))
    assert "iss" in await refused(verifier_for(keys), issue(keys, issuer="evil-identity"))


async def test_missing_required_claims_are_refused(keys):
    key = keys.signing_key
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.kid}
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "iat": now, "exp": now + 60}
    for missing in ("sub", "exp", "iat", "iss", "aud"):
        partial = {name: value for name, value in claims.items() if name != missing}
        token = jwt.encode(header, partial, key, algorithms=["EdDSA"], registry=EDDSA_ONLY)
        assert "missing" in await refused(verifier_for(keys), token), missing


async def test_a_tampered_payload_is_refused(keys):
    header, payload, signature = segments(issue(keys))
    tampered = f"{b64(header)}.{b64({**payload, 'roles': ['admin'], 'scope': 'admin'})}.{signature}"

    assert "signature" in await refused(verifier_for(keys), tampered)


async def test_a_key_the_issuer_does_not_publish_is_refused(keys, tmp_path):
    outsider = SigningKeys([generate_signing_key()])
    token = issue(outsider)
    # Also: an outsider's signature under the kid of a published key.
    header, payload, _ = segments(issue(keys))
    impostor = jwt.encode(
        header, payload, outsider.signing_key, algorithms=["EdDSA"], registry=EDDSA_ONLY
    )

    assert "does not publish" in await refused(verifier_for(keys), token)
    assert "signature" in await refused(verifier_for(keys), impostor)


async def test_a_rotated_out_key_verifies_until_its_tokens_expired_then_is_refused(tmp_path):
    start = time.time()
    keys = SigningKeys.from_directory(tmp_path / "keys", now=start)
    old_token = issue(keys)
    keys.rotate(now=start + 60)
    assert keys.signing_key.kid != segments(old_token)[0]["kid"]
    assert len(keys.public_jwks()["keys"]) == 2
    assert (await verifier_for(keys).verify(old_token)).user_id == "user-1"

    keys.reload(now=start + 60 + 15 * 60 + 31)  # every token of the old key has expired

    assert [key["kid"] for key in keys.public_jwks()["keys"]] == [keys.signing_key.kid]
    assert "does not publish" in await refused(verifier_for(keys), old_token)
    assert (await verifier_for(keys).verify(issue(keys))).user_id == "user-1"


async def test_malformed_tokens_and_headers_are_refused(keys):
    for garbage in ("", "abc", "a.b", "a.b.c", "!!!.???.###", f"{b64({'alg': 'EdDSA'})}.e30.x"):
        await refused(verifier_for(keys), garbage)
    assert bearer_token(None) is None
    with pytest.raises(InvalidToken):
        bearer_token("Basic dXNlcjpwYXNz")
    with pytest.raises(InvalidToken):
        bearer_token("Bearer ")


# --- JWKS over HTTP ------------------------------------------------------------------------------


async def test_jwks_source_refetches_on_an_unknown_kid_at_most_once_per_interval(tmp_path):
    keys = SigningKeys.from_directory(tmp_path / "keys")
    fetches: list[float] = []

    async def jwks(_: Request) -> JSONResponse:
        fetches.append(time.monotonic())
        return JSONResponse(keys.public_jwks())

    app = Starlette(routes=[Route("/jwks", jwks)])
    async with serve_app(app) as url, aiohttp.ClientSession() as client:
        source = JwksKeySource(f"{url}/jwks", client, min_refetch_interval=0.3)
        verifier = TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)
        assert (await verifier.verify(issue(keys))).user_id == "user-1"
        assert (await verifier.verify(issue(keys))).user_id == "user-1"
        assert len(fetches) == 1  # cached

        stranger = issue(SigningKeys([generate_signing_key()]))
        await refused(verifier, stranger)
        await refused(verifier, stranger)
        assert len(fetches) == 1  # unknown kids within the interval: no refetch storm

        keys.rotate()
        await asyncio.sleep(0.35)
        assert (await verifier.verify(issue(keys))).user_id == "user-1"  # refetched
        assert len(fetches) == 2


async def test_an_unreachable_jwks_is_unavailable_not_a_bad_token_and_retried_soon(tmp_path):
    keys = SigningKeys.from_directory(tmp_path / "keys")
    answering = False

    async def jwks(_: Request) -> JSONResponse:
        if not answering:
            return JSONResponse({"error": "down"}, status_code=503)
        return JSONResponse(keys.public_jwks())

    app = Starlette(routes=[Route("/jwks", jwks)])
    async with serve_app(app) as url, aiohttp.ClientSession() as client:
        verifier = TokenVerifier(
            JwksKeySource(f"{url}/jwks", client), issuer=ISSUER, audience=AUDIENCE
        )
        with pytest.raises(KeysUnavailable) as caught:
            await verifier.verify(issue(keys))
        assert caught.value.extensions == {"code": "UNAUTHENTICATED", "reason": "KEYS_UNAVAILABLE"}

        answering = True
        await asyncio.sleep(JWKS_RETRY_SECONDS + 0.05)  # not the 30 s unknown-kid rate limit
        assert (await verifier.verify(issue(keys))).user_id == "user-1"


@pytest.fixture(scope="module")
async def identity_and_money(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[RunningSubgraph, RunningSubgraph]]:
    async with running_subgraph("identity", tmp_path_factory.mktemp("identity")) as identity:
        jwks_url = f"{identity.url}/.well-known/jwks.json"

        def money_app(settings: Any) -> Starlette:
            return create_money_app(settings.model_copy(update={"jwks_url": jwks_url}))

        async with running_subgraph(
            "money", tmp_path_factory.mktemp("money"), app_factory=money_app
        ) as money:
            yield identity, money


async def test_another_subgraph_verifies_identity_tokens_through_the_jwks(identity_and_money):
    identity, money = identity_and_money
    keys: SigningKeys = identity.app.state.identity.tokens.keys

    anonymous = await money.graphql("{ __typename }")
    genuine = await money.graphql(
        "{ __typename }", headers={"Authorization": f"Bearer {issue(keys)}"}
    )

    assert anonymous == {"data": {"__typename": "Query"}}
    assert genuine == {"data": {"__typename": "Query"}}


async def test_a_bad_token_is_unauthenticated_for_the_whole_request_never_anonymous(
    identity_and_money,
):
    identity, money = identity_and_money
    keys: SigningKeys = identity.app.state.identity.tokens.keys
    header, payload, signature = segments(issue(keys))
    bad_tokens = [
        f"{b64({**header, 'alg': 'none'})}.{b64(payload)}.",
        issue(keys, now=int(time.time()) - 3600),
        issue(keys, audience="elsewhere"),
        f"{b64(header)}.{b64({**payload, 'sub': 'someone-else'})}.{signature}",
        issue(SigningKeys([generate_signing_key()])),
    ]
    for token in bad_tokens:
        response = await money.client.post(
            f"{money.url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        body = response.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert error["message"].startswith("Invalid access token")


async def test_the_jwks_route_publishes_public_keys_only(identity_and_money):
    identity, _ = identity_and_money

    response = await identity.client.get(f"{identity.url}/.well-known/jwks.json")

    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("OKP", "Ed25519", "sig", "EdDSA")
    assert KeySet.import_key_set(response.json())


# --- the viewer ----------------------------------------------------------------------------------


def test_scopes_follow_the_contracts_role_table():
    from subgraphs.kernel.auth import scopes_for_roles

    user = {"profile", "wallets", "orders", "tickets", "notifications", "media"}
    assert set(scopes_for_roles(["user"])) == user
    assert set(scopes_for_roles(["user", "seller"])) == user | {"seller"}
    assert set(scopes_for_roles(["franchise_owner"])) == user | {"franchise"}
    assert set(scopes_for_roles(["support_agent", "operator", "affiliate"])) == user | {
        "support",
        "operator",
        "affiliate",
    }
    assert set(scopes_for_roles(["admin"])) == user | {
        "seller",
        "affiliate",
        "franchise",
        "support",
        "operator",
        "admin",
    }


async def test_the_viewer_requires_sign_in_then_the_scope(keys):
    from subgraphs.kernel.context import ANONYMOUS, Viewer
    from subgraphs.kernel.errors import Forbidden, Unauthenticated

    viewer = Viewer.from_claims(
        await verifier_for(keys).verify(issue(keys, roles=["support_agent"]))
    )

    assert viewer.session_id == "session-1"
    viewer.require_scope("support")
    viewer.require_scope("admin", "support")
    with pytest.raises(Forbidden):
        viewer.require_scope("admin")
    with pytest.raises(Unauthenticated):
        ANONYMOUS.require_scope("profile")


async def test_a_subgraph_whose_jwks_is_unreachable_answers_503_not_invalid_token(tmp_path):
    keys = SigningKeys.from_directory(tmp_path / "keys")

    def money_app(settings: Any) -> Starlette:
        nowhere = f"http://127.0.0.1:{unused_loopback_port()}/jwks"
        return create_money_app(settings.model_copy(update={"jwks_url": nowhere}))

    async with running_subgraph("money", tmp_path / "money", app_factory=money_app) as money:
        response = await money.client.post(
            f"{money.url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {issue(keys)}"},
        )

    assert response.status_code == 503
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "KEYS_UNAVAILABLE"}
    assert "WWW-Authenticate" not in response.headers
