"""identity over real HTTP: sign-in, access tokens per the contract, sessions, refresh rotation,
logout, and the audit trail they leave."""

from __future__ import annotations

import base64
import json

from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from subgraphs.identity.models import AuditEvent, AuthSession
from subgraphs.kernel.auth import EDDSA_ONLY
from tests.subgraphs.identity.auth_client import (
    REFRESH,
    bearer,
    login,
    login_body,
    register,
    signed_in_user,
    unique_email,
)

MY_SESSIONS = "{ mySessions { id userAgent current revokedAt } }"


def segment(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def audit_kinds(identity, user_id: str) -> list[str]:
    async with identity.database.sessions() as session:
        rows = await session.scalars(
            select(AuditEvent.kind)
            .where(AuditEvent.user_id == user_id)
            .order_by(AuditEvent.occurred_at)
        )
        return list(rows)


async def test_login_issues_an_eddsa_access_token_with_the_contract_claims(identity):
    user = await register(identity, unique_email("claims"))
    tokens = await login(identity, user["email"])

    header = segment(tokens["accessToken"], 0)
    claims = segment(tokens["accessToken"], 1)
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT" and header["kid"]
    assert claims["iss"] == "ehb-identity" and claims["aud"] == "ehb-api"
    assert claims["sub"] == user["id"]
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["sid"] == tokens["session"]["id"]
    assert claims["roles"] == ["user"]
    assert set(claims["scope"].split()) == {
        "profile",
        "wallets",
        "orders",
        "tickets",
        "notifications",
        "media",
    }
    assert claims["amr"] == ["pwd"] and claims["jti"]
    assert tokens["tokenType"] == "Bearer"
    assert tokens["session"]["userAgent"] == "pytest-device"
    assert tokens["session"]["ipAddress"] == "127.0.0.1"

    # The published JWKS verifies it.
    jwks = (await identity.client.get(f"{identity.url}/.well-known/jwks.json")).json()
    decoded = jwt.decode(
        tokens["accessToken"],
        KeySet.import_key_set(jwks),
        algorithms=["EdDSA"],
        registry=EDDSA_ONLY,
    )
    assert decoded.claims["sub"] == user["id"]


async def test_the_refresh_token_is_stored_only_as_a_hash(identity):
    user = await register(identity, unique_email("hash"))
    tokens = await login(identity, user["email"])

    async with identity.database.sessions() as session:
        from subgraphs.identity.models import RefreshToken

        stored = list(await session.scalars(select(RefreshToken.token_hash)))
    assert tokens["refreshToken"] not in stored
    assert all(len(value) == 64 for value in stored)


async def test_me_and_my_sessions_answer_for_the_bearer(identity):
    user, tokens = await signed_in_user(identity, "me")
    second = await login(identity, user["email"])

    body = await identity.graphql("{ me { id email } }", headers=bearer(tokens["accessToken"]))
    assert body == {"data": {"me": {"id": user["id"], "email": user["email"]}}}

    body = await identity.graphql(MY_SESSIONS, headers=bearer(tokens["accessToken"]))
    sessions = body["data"]["mySessions"]
    assert {s["id"] for s in sessions} == {tokens["session"]["id"], second["session"]["id"]}
    current = [s["id"] for s in sessions if s["current"]]
    assert current == [tokens["session"]["id"]]


async def test_my_sessions_needs_a_signed_in_viewer(identity):
    body = await identity.graphql(MY_SESSIONS)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(identity):
    user, tokens = await signed_in_user(identity, "rotate")

    first = await identity.graphql(REFRESH, {"token": tokens["refreshToken"]})
    assert "errors" not in first, first
    rotated = first["data"]["refreshSession"]["tokens"]
    assert rotated["refreshToken"] != tokens["refreshToken"]
    assert rotated["session"]["id"] == tokens["session"]["id"]
    assert segment(rotated["accessToken"], 1)["sid"] == tokens["session"]["id"]

    # The spent token again: refused, and the session (family) is revoked...
    reuse = await identity.graphql(REFRESH, {"token": tokens["refreshToken"]})
    assert reuse["data"] is None
    [error] = reuse["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["reason"] == "INVALID_REFRESH_TOKEN"
    assert "already used" in error["message"]

    # ...so the newest refresh token of the family is dead too,
    after = await identity.graphql(REFRESH, {"token": rotated["refreshToken"]})
    assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # identity refuses the family's access tokens at once,
    me = await identity.graphql("{ me { id } }", headers=bearer(rotated["accessToken"]))
    assert me["errors"][0]["extensions"]["reason"] == "SESSION_REVOKED"
    # and the reuse is on record although the request failed.
    assert "token.reused" in await audit_kinds(identity, user["id"])
    async with identity.database.sessions() as session:
        row = await session.get(AuthSession, tokens["session"]["id"])
    assert row is not None and row.revoked_reason == "token_reuse"


async def test_an_unknown_refresh_token_is_unauthenticated(identity):
    body = await identity.graphql(REFRESH, {"token": "not-a-token"})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_logout_revokes_the_session_and_its_refresh_token(identity):
    user, tokens = await signed_in_user(identity, "logout")

    body = await identity.graphql(
        "mutation { logout { session { id revokedAt } } }", headers=bearer(tokens["accessToken"])
    )
    assert "errors" not in body, body
    assert body["data"]["logout"]["session"]["id"] == tokens["session"]["id"]
    assert body["data"]["logout"]["session"]["revokedAt"] is not None

    refresh = await identity.graphql(REFRESH, {"token": tokens["refreshToken"]})
    assert refresh["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    sessions = await identity.graphql(MY_SESSIONS, headers=bearer(tokens["accessToken"]))
    assert sessions["errors"][0]["extensions"]["reason"] == "SESSION_REVOKED"
    assert "logout" in await audit_kinds(identity, user["id"])


async def test_logout_with_only_the_refresh_token(identity):
    _, tokens = await signed_in_user(identity, "logout-refresh")

    body = await identity.graphql(
        "mutation($t: String) { logout(input: { refreshToken: $t }) { session { id } } }",
        {"t": tokens["refreshToken"]},
    )

    assert body["data"]["logout"]["session"]["id"] == tokens["session"]["id"]
    refresh = await identity.graphql(REFRESH, {"token": tokens["refreshToken"]})
    assert refresh["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_revoke_session_ends_another_device_but_not_someone_elses(identity):
    user, phone = await signed_in_user(identity, "devices")
    laptop = await login(identity, user["email"])
    _, stranger = await signed_in_user(identity, "stranger")
    revoke = "mutation($id: ID!) { revokeSession(input: { sessionId: $id }) { session { id } } }"

    mine = await identity.graphql(
        revoke, {"id": laptop["session"]["id"]}, headers=bearer(phone["accessToken"])
    )
    assert mine["data"]["revokeSession"]["session"]["id"] == laptop["session"]["id"]
    sessions = await identity.graphql(MY_SESSIONS, headers=bearer(phone["accessToken"]))
    assert [s["id"] for s in sessions["data"]["mySessions"]] == [phone["session"]["id"]]

    theirs = await identity.graphql(
        revoke, {"id": phone["session"]["id"]}, headers=bearer(stranger["accessToken"])
    )
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    still = await identity.graphql(MY_SESSIONS, headers=bearer(phone["accessToken"]))
    assert "errors" not in still


async def test_login_and_its_failure_are_audited(identity):
    user = await register(identity, unique_email("audit"))
    failed = await login_body(identity, user["email"], "wrong password, clearly")
    assert failed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await login(identity, user["email"])

    kinds = await audit_kinds(identity, user["id"])
    assert kinds[-2:] == ["login.failed", "login.succeeded"]
