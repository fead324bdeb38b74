"""The security audit log and account administration through the router (issue 4): one account
goes through every security-relevant action (failed and successful sign-in, MFA on and off,
refresh-token reuse, password reset, role changes, disabling, a lock) and an administrator reads
each of them back from `auditLog`; nobody else may read it. The lock and the token reuse are also
domain events for observability. Sessions show device, client address and last use; disabling
an account revokes them; no password ever reaches a log."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import aiohttp
import pyotp
import pytest
from sqlalchemy import insert, select

from subgraphs.identity.models import LoginFailure, Outbox
from subgraphs.kernel.db import utcnow
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.servers import Platform
from tests.integration.platform.test_identity_through_the_router import (
    COMPLETE_RESET,
    NEW_PASSWORD,
    PASSWORD,
    REFRESH,
    REQUEST_RESET,
    login,
    reason,
    registered,
    reset_token_sent_to,
)

DEVICE = "EHB test phone (Android 15)"
LAPTOP = "EHB test laptop (Firefox 140)"
AUDIT = """
query($filter: AuditLogFilter) {
  auditLog(filter: $filter, first: 100) { edges { node { kind userId actorId ipAddress } } }
}
"""
SESSIONS = "{ mySessions { id userAgent ipAddress lastUsedAt createdAt current revokedAt } }"
ROLE = """
mutation($userId: ID!) { %s(input: { userId: $userId, role: SELLER }) { user { id roles } } }
"""
SEARCH = """
query($filter: UserSearchFilter) {
  searchUsers(filter: $filter) { edges { node { id email status } } }
}
"""
ACCOUNT = "mutation($userId: ID!) { %s(input: { userId: $userId }) { user { id status } } }"


def at_address(platform: Platform, http: aiohttp.ClientSession) -> tuple[GraphQLClient, str]:
    """An anonymous client on a device and at an address of its own (RFC 5737 range)."""
    address = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    headers = {"X-Forwarded-For": address, "User-Agent": DEVICE}
    return GraphQLClient(http, platform.graphql_url, headers), address


def signed_in(client: GraphQLClient, access_token: str) -> GraphQLClient:
    return client.with_headers({**client.headers, "Authorization": f"Bearer {access_token}"})


async def enable_and_disable_mfa(client: GraphQLClient) -> None:
    started = await client.post("mutation { startMfaEnrolment { secret qrCodeDataUrl } }")
    secret = started.data["startMfaEnrolment"]["secret"]
    assert started.data["startMfaEnrolment"]["qrCodeDataUrl"].startswith("data:image/")
    totp = pyotp.TOTP(secret)
    confirmed = await client.post(
        "mutation($code: String!) { confirmMfaEnrolment(input: { code: $code }) "
        "{ mfa { enabled } recoveryCodes } }",
        {"code": totp.now()},
    )
    assert len(confirmed.data["confirmMfaEnrolment"]["recoveryCodes"]) == 10, confirmed.body
    disable = "mutation($code: String!) { disableMfa(input: { code: $code }) { mfa { enabled } } }"
    # The code just used cannot be replayed; the next step's code is fresh.
    replayed = await client.post(disable, {"code": totp.now()})
    assert reason(replayed) == ("BAD_USER_INPUT", "INVALID_MFA_CODE")
    fresh = totp.at(utcnow() + timedelta(seconds=totp.interval))
    disabled = await client.post(disable, {"code": fresh})
    assert disabled.data == {"disableMfa": {"mfa": {"enabled": False}}}, disabled.body


async def lock_the_account(platform: Platform, client: GraphQLClient, email: str) -> None:
    """Nine failures in the last ten minutes, then a tenth through the router: the lock."""
    async with platform.engine("identity").begin() as connection:
        await connection.execute(
            insert(LoginFailure),
            [
                {
                    "email": email,
                    "ip_address": f"192.0.2.{i}",
                    "at": utcnow() - timedelta(minutes=9),
                }
                for i in range(9)
            ],
        )
    await login(client, email, "one more wrong guess")
    assert reason(await login(client, email)) == ("UNAUTHENTICATED", "LOCKED")


async def test_every_security_action_is_in_the_audit_log_for_administrators_only(
    platform: Platform, http: aiohttp.ClientSession, router: GraphQLClient
) -> None:
    client, _ = at_address(platform, http)
    user = await registered(client, "audited")
    await login(client, user["email"], "not the password at all")
    first = (await login(client, user["email"])).data["login"]["tokens"]
    await enable_and_disable_mfa(signed_in(client, first["accessToken"]))
    rotated = await client.post(REFRESH, {"token": first["refreshToken"]})
    assert "errors" not in rotated.body, rotated.body
    reused = await client.post(REFRESH, {"token": first["refreshToken"]})
    assert reason(reused) == ("UNAUTHENTICATED", "INVALID_REFRESH_TOKEN")
    await client.post(REQUEST_RESET, {"email": user["email"]})
    token = await reset_token_sent_to(platform, user["email"])
    reset = await client.post(COMPLETE_RESET, {"token": token, "password": NEW_PASSWORD})
    assert "errors" not in reset.body, reset.body
    for mutation in ("assignRole", "removeRole"):
        changed = await router.post(ROLE % mutation, {"userId": user["id"]})
        assert "errors" not in changed.body, changed.body
    for mutation in ("disableUser", "enableUser"):
        changed = await router.post(ACCOUNT % mutation, {"userId": user["id"]})
        assert "errors" not in changed.body, changed.body
    await lock_the_account(platform, client, user["email"])

    audit = await router.post(AUDIT, {"filter": {"userId": user["id"]}})
    kinds = {edge["node"]["kind"] for edge in audit.data["auditLog"]["edges"]}
    assert {
        "user.registered",
        "login.failed",
        "login.succeeded",
        "mfa.enabled",
        "mfa.disabled",
        "token.reused",
        "password.reset_requested",
        "password.reset_completed",
        "role.assigned",
        "role.removed",
        "account.disabled",
        "account.enabled",
        "login.locked",
    } <= kinds, kinds
    by_admin = [e["node"] for e in audit.data["auditLog"]["edges"] if e["node"]["actorId"]]
    assert {node["kind"] for node in by_admin} == {
        "role.assigned",
        "role.removed",
        "account.disabled",
        "account.enabled",
    }

    # The lock and the token reuse are security events observability turns into alerts.
    async with platform.engine("identity").connect() as connection:
        events = set(
            await connection.scalars(select(Outbox.type).where(Outbox.user_id == user["id"]))
        )
    assert {"identity.login.locked", "identity.token.reused"} <= events

    # Nobody but an administrator reads the log: the user themself, a support agent, anonymous.
    own = (await login(client, user["email"], NEW_PASSWORD)).body
    assert reason_of(own) == ("UNAUTHENTICATED", "LOCKED")
    support = GraphQLClient(
        http, platform.graphql_url, platform.bearer(user["id"], "user", "support_agent")
    )
    for caller, code in (
        (support, "FORBIDDEN"),
        (signed_in(client, first["accessToken"]), "FORBIDDEN"),
        (client, "UNAUTHENTICATED"),
    ):
        refused = await caller.post(AUDIT, {"filter": {"userId": user["id"]}})
        assert refused.status == 200
        assert refused.data is None
        assert [(e["path"], e["extensions"]["code"]) for e in refused.errors] == [
            (["auditLog"], code)
        ]


def reason_of(body: dict) -> tuple[str, str]:
    [error] = body["errors"]
    return error["extensions"]["code"], error["extensions"].get("reason", "")


async def test_sessions_show_device_address_and_last_use_and_disabling_revokes_them(
    platform: Platform, http: aiohttp.ClientSession, router: GraphQLClient
) -> None:
    client, address = at_address(platform, http)
    user = await registered(client, "sessions")
    phone = (await login(client, user["email"])).data["login"]["tokens"]
    laptop_client = GraphQLClient(http, client.url, {**client.headers, "User-Agent": LAPTOP})
    laptop = (await login(laptop_client, user["email"])).data["login"]["tokens"]
    refreshed = await client.post(REFRESH, {"token": phone["refreshToken"]})
    phone_next = refreshed.data["refreshSession"]["tokens"]

    listed = await signed_in(client, laptop["accessToken"]).post(SESSIONS)

    sessions = {s["id"]: s for s in listed.data["mySessions"]}
    assert set(sessions) == {phone["session"]["id"], laptop["session"]["id"]}, listed.body
    for session in sessions.values():
        assert session["ipAddress"] == address
        assert session["revokedAt"] is None
    # The device is the client's User-Agent, which the router passes on.
    assert sessions[phone["session"]["id"]]["userAgent"] == DEVICE
    assert sessions[laptop["session"]["id"]]["userAgent"] == LAPTOP
    assert sessions[laptop["session"]["id"]]["current"] is True
    used = sessions[phone["session"]["id"]]
    assert used["lastUsedAt"] > used["createdAt"]  # the refresh counted as a use

    disabled = await router.post(ACCOUNT % "disableUser", {"userId": user["id"]})
    assert disabled.data["disableUser"]["user"]["status"] == "SUSPENDED", disabled.body
    found = await router.post(SEARCH, {"filter": {"query": user["email"], "status": "SUSPENDED"}})
    assert [edge["node"] for edge in found.data["searchUsers"]["edges"]] == [
        {"id": user["id"], "email": user["email"], "status": "SUSPENDED"}
    ], found.body
    not_admin = await signed_in(client, laptop["accessToken"]).post(SEARCH, {"filter": {}})
    assert not_admin.data is None
    assert [(e["path"], e["extensions"]["code"]) for e in not_admin.errors] == [
        (["searchUsers"], "FORBIDDEN")
    ]

    for refresh_token in (phone_next["refreshToken"], laptop["refreshToken"]):
        dead = await client.post(REFRESH, {"token": refresh_token})
        assert dead.data is None
        assert dead.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    # identity refuses the still-unexpired access token of a disabled account at once.
    me = await signed_in(client, laptop["accessToken"]).post("{ me { id } }")
    assert me.data == {"me": None} or me.data is None, me.body
    assert me.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason(await login(client, user["email"]))[0] == "UNAUTHENTICATED"


async def test_no_password_reaches_any_log(
    platform: Platform, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "a wrong password that must stay secret 7"
    with caplog.at_level(logging.DEBUG):
        client, _ = at_address(platform, http)
        user = await registered(client, "quiet")
        await login(client, user["email"], wrong)
        await login(client, user["email"])
        await client.post(REQUEST_RESET, {"email": user["email"]})
        token = await reset_token_sent_to(platform, user["email"])
        await client.post(COMPLETE_RESET, {"token": token, "password": NEW_PASSWORD})
        await client.post(
            "mutation($input: RegisterUserInput!) { registerUser(input: $input) { id } }",
            {"input": {"email": user["email"], "displayName": "Again", "password": PASSWORD}},
        )

    assert caplog.records, "nothing was logged at all: the capture is not working"
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.__dict__}"
        for record in caplog.records
    )
    for secret in (PASSWORD, NEW_PASSWORD, wrong):
        assert secret not in logged
