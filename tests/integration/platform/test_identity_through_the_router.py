"""Sign-in attacks through the router (issue 4): refresh-token reuse revokes the family, reset
tokens are single-use and expire, brute force is throttled per account and per client address
(the router forwards the client's address), and answers never reveal whether an email exists.

Each test uses its own accounts and its own client address (sent as `X-Forwarded-For` to the
router, which appends the address it saw; identity believes the chain from trusted proxies), so
throttling in one test never reaches another on the shared platform."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import aiohttp
import pyotp
from sqlalchemy import insert, update

from subgraphs.identity.models import LoginFailure, PasswordReset
from subgraphs.kernel.db import utcnow
from tests.integration.platform.client import GraphQLClient, Reply
from tests.integration.platform.servers import Platform

PASSWORD = "correct horse battery staple 42"
NEW_PASSWORD = "a brand new passphrase 2026"

REGISTER = """
mutation($input: RegisterUserInput!) { registerUser(input: $input) { id email } }
"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    tokens { accessToken refreshToken session { id } user { id } }
    mfaChallenge { id }
  }
}
"""
REFRESH = """
mutation($token: String!) {
  refreshSession(input: { refreshToken: $token }) { tokens { accessToken refreshToken } }
}
"""
REQUEST_RESET = """
mutation($email: String!) { requestPasswordReset(input: { email: $email }) { message } }
"""
COMPLETE_RESET = """
mutation($token: String!, $password: String!) {
  completePasswordReset(input: { token: $token, newPassword: $password }) { user { id } }
}
"""


def from_address(platform: Platform, http: aiohttp.ClientSession) -> GraphQLClient:
    """An anonymous client at an address of its own (a documentation range, RFC 5737)."""
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    return GraphQLClient(http, platform.graphql_url, {"X-Forwarded-For": address})


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def registered(client: GraphQLClient, prefix: str) -> dict:
    email = unique_email(prefix)
    reply = await client.post(
        REGISTER, {"input": {"email": email, "displayName": "Someone", "password": PASSWORD}}
    )
    assert "errors" not in reply.body, reply.body
    user: dict = reply.data["registerUser"]
    return user


async def login(client: GraphQLClient, email: str, password: str = PASSWORD) -> Reply:
    return await client.post(LOGIN, {"input": {"email": email, "password": password}})


def reason(reply: Reply) -> tuple[str, str]:
    [error] = reply.errors
    return error["extensions"]["code"], error["extensions"].get("reason", "")


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_session(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    client = from_address(platform, http)
    user = await registered(client, "rotate")
    first = (await login(client, user["email"])).data["login"]["tokens"]["refreshToken"]

    rotated = await client.post(REFRESH, {"token": first})
    second = rotated.data["refreshSession"]["tokens"]["refreshToken"]
    stolen_copy = await client.post(REFRESH, {"token": first})
    legitimate_next = await client.post(REFRESH, {"token": second})

    assert second != first
    assert stolen_copy.data is None
    assert reason(stolen_copy) == ("UNAUTHENTICATED", "INVALID_REFRESH_TOKEN")
    # The family is revoked: the token the legitimate holder got is dead too.
    assert legitimate_next.data is None
    assert reason(legitimate_next)[0] == "UNAUTHENTICATED"


def mailbox_messages(platform: Platform) -> list[EmailMessage]:
    mailbox: Path = platform.settings["identity"].data_dir / "mail"
    return [
        message_from_bytes(path.read_bytes(), policy=default_policy)  # type: ignore[misc]
        for path in sorted(mailbox.glob("*.eml"))
    ]


async def reset_token_sent_to(platform: Platform, email: str, number: int = 1) -> str:
    """The token of the `number`th reset email to `email` (the embedded mailbox sender), once
    it has arrived: the email goes out in the background."""
    for _ in range(200):
        sent = [message for message in mailbox_messages(platform) if message["To"] == email]
        if len(sent) >= number:
            body = sent[number - 1].get_body(preferencelist=("plain",))
            assert body is not None
            found = re.search(r"token=([A-Za-z0-9_-]+)", body.get_content())
            assert found, body.get_content()
            return found.group(1)
        await asyncio.sleep(0.05)
    raise AssertionError(f"reset email {number} never reached {email}")


async def test_a_reset_token_works_once_and_not_after_it_expires(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    client = from_address(platform, http)
    user = await registered(client, "reset")

    await client.post(REQUEST_RESET, {"email": user["email"]})
    token = await reset_token_sent_to(platform, user["email"])
    done = await client.post(COMPLETE_RESET, {"token": token, "password": NEW_PASSWORD})
    again = await client.post(COMPLETE_RESET, {"token": token, "password": PASSWORD + "!"})

    assert done.data == {"completePasswordReset": {"user": {"id": user["id"]}}}
    assert reason(again) == ("BAD_USER_INPUT", "INVALID_RESET_TOKEN")
    assert "errors" not in (await login(client, user["email"], NEW_PASSWORD)).body

    await client.post(REQUEST_RESET, {"email": user["email"]})
    late = await reset_token_sent_to(platform, user["email"], number=2)
    assert late != token
    async with platform.engine("identity").begin() as connection:
        await connection.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user["id"], PasswordReset.used_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = await client.post(COMPLETE_RESET, {"token": late, "password": PASSWORD + "!"})
    assert reason(expired) == ("BAD_USER_INPUT", "INVALID_RESET_TOKEN")


async def test_repeated_wrong_passwords_are_throttled_per_account(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    user = await registered(from_address(platform, http), "brute")
    answers = []
    for _ in range(6):
        # A new address each time: only the per-account count can stop this attacker.
        answers.append(reason(await login(from_address(platform, http), user["email"], "wrong")))
    right_password_now = await login(from_address(platform, http), user["email"])

    assert answers[:5] == [("UNAUTHENTICATED", "INVALID_CREDENTIALS")] * 5
    assert answers[5] == ("UNAUTHENTICATED", "THROTTLED")
    assert reason(right_password_now) == ("UNAUTHENTICATED", "THROTTLED")


async def test_a_paced_guessing_attack_locks_the_account_even_for_the_right_password(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    user = await registered(from_address(platform, http), "paced")
    # Nine wrong guesses over the last ten minutes, a minute apart: slow enough that no throttle
    # delay is still running (waiting those out in the test would take half a minute).
    async with platform.engine("identity").begin() as connection:
        await connection.execute(
            insert(LoginFailure),
            [
                {
                    "email": user["email"],
                    "ip_address": f"203.0.113.{i}",
                    "at": utcnow() - timedelta(minutes=10 - i),
                }
                for i in range(9)
            ],
        )

    tenth = await login(from_address(platform, http), user["email"], "still wrong")
    right_password = await login(from_address(platform, http), user["email"])

    assert reason(tenth) == ("UNAUTHENTICATED", "INVALID_CREDENTIALS")
    assert reason(right_password) == ("UNAUTHENTICATED", "LOCKED")
    assert right_password.errors[0]["extensions"]["retryAfterSeconds"] > 0


async def test_repeated_failures_from_one_address_are_throttled_across_accounts(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    attacker = from_address(platform, http)
    other_client = from_address(platform, http)
    reasons = [reason(await login(attacker, unique_email("spray"), "wrong")) for _ in range(21)]
    victim = await registered(other_client, "victim")

    assert reasons[:20] == [("UNAUTHENTICATED", "INVALID_CREDENTIALS")] * 20
    assert reasons[20] == ("UNAUTHENTICATED", "THROTTLED")
    # Someone at another address is not affected.
    assert "errors" not in (await login(other_client, victim["email"])).body


async def test_known_and_unknown_emails_get_identical_answers(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    client = from_address(platform, http)
    known = (await registered(client, "known"))["email"]
    unknown = unique_email("nobody")

    failed_logins = [
        (await login(client, email, "wrong password!")).body for email in (known, unknown)
    ]
    resets = [
        (await client.post(REQUEST_RESET, {"email": email})).body for email in (known, unknown)
    ]

    assert failed_logins[0] == failed_logins[1]
    assert resets[0] == resets[1]
    assert "errors" not in resets[0]


async def test_mfa_sign_in_needs_the_second_factor_through_the_router(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    client = from_address(platform, http)
    user = await registered(client, "mfa")
    tokens = (await login(client, user["email"])).data["login"]["tokens"]
    signed_in = client.with_headers({"Authorization": f"Bearer {tokens['accessToken']}"})
    enrolment = await signed_in.post("mutation { startMfaEnrolment { secret otpauthUri } }")
    secret = enrolment.data["startMfaEnrolment"]["secret"]
    confirmed = await signed_in.post(
        "mutation($code: String!) { confirmMfaEnrolment(input: { code: $code }) "
        "{ mfa { enabled } recoveryCodes } }",
        {"code": pyotp.TOTP(secret).now()},
    )
    assert confirmed.data["confirmMfaEnrolment"]["mfa"] == {"enabled": True}, confirmed.body
    [recovery_code, *_] = confirmed.data["confirmMfaEnrolment"]["recoveryCodes"]

    challenged = (await login(client, user["email"])).data["login"]
    finish = """
    mutation($id: ID!, $code: String!) {
      completeMfaLogin(input: { challengeId: $id, code: $code }) { tokens { accessToken } }
    }
    """
    wrong = await client.post(finish, {"id": challenged["mfaChallenge"]["id"], "code": "000000"})
    # The TOTP code of this step was spent on enrolment (no replay): finish with a recovery code.
    right = await client.post(
        finish, {"id": challenged["mfaChallenge"]["id"], "code": recovery_code}
    )

    assert challenged["tokens"] is None
    assert reason(wrong) == ("UNAUTHENTICATED", "INVALID_MFA_CODE")
    access = right.data["completeMfaLogin"]["tokens"]["accessToken"]
    me = await client.with_headers({"Authorization": f"Bearer {access}"}).post("{ me { id } }")
    assert me.data == {"me": {"id": user["id"]}}
