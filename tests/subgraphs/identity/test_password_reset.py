"""Password reset by email, against a real SMTP server (aiosmtpd on a loopback port): the same
answer for known and unknown emails, a single-use token that expires, sessions revoked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from subgraphs.identity.app import create_app
from subgraphs.identity.models import AuditEvent, PasswordReset
from subgraphs.kernel.db import utcnow
from subgraphs.kernel.email import SmtpEmailSender
from subgraphs.kernel.testing import RunningSubgraph, running_subgraph
from tests.fixtures import smtp
from tests.fixtures.smtp import SmtpServer
from tests.subgraphs.identity.auth_client import (
    PASSWORD,
    REFRESH,
    login,
    login_body,
    register,
    unique_email,
)

smtp_server = smtp.smtp_server

REQUEST = """
mutation($email: String!) { requestPasswordReset(input: { email: $email }) { message } }
"""
COMPLETE = """
mutation($token: String!, $password: String!) {
  completePasswordReset(input: { token: $token, newPassword: $password }) { user { id email } }
}
"""
NEW_PASSWORD = "a brand new passphrase 2026"


@pytest.fixture
async def identity_with_mail(tmp_path, smtp_server: SmtpServer) -> AsyncIterator[RunningSubgraph]:
    sender = SmtpEmailSender(host=smtp_server.host, port=smtp_server.port, timeout_seconds=5)

    def factory(settings):
        settings = settings.model_copy(
            update={"password_reset_url": "https://dashboard.example/reset"}
        )
        return create_app(settings, email_sender=sender)

    async with running_subgraph("identity", tmp_path, app_factory=factory) as running:
        yield running


async def reset_token(smtp_server: SmtpServer, count: int = 1) -> str:
    received = await smtp_server.wait_for_message(count)
    match = re.search(r"https://dashboard\.example/reset\?token=([A-Za-z0-9_-]+)", received.body())
    assert match, received.body()
    return match.group(1)


async def test_a_reset_email_arrives_and_the_new_password_replaces_the_old(
    identity_with_mail, smtp_server
):
    identity = identity_with_mail
    user = await register(identity, unique_email("reset"))
    tokens = await login(identity, user["email"])

    answer = await identity.graphql(REQUEST, {"email": user["email"]})
    assert "errors" not in answer, answer
    token = await reset_token(smtp_server)
    received = smtp_server.messages[0]
    assert received.rcpt_tos == [user["email"]]
    assert received.message["Subject"] == "Reset your EHB-5 password"
    assert token in received.body("html")

    done = await identity.graphql(COMPLETE, {"token": token, "password": NEW_PASSWORD})
    assert done["data"]["completePasswordReset"]["user"]["id"] == user["id"]

    old = await login_body(identity, user["email"], PASSWORD)
    assert old["errors"][0]["extensions"]["reason"] == "INVALID_CREDENTIALS"
    assert (await login(identity, user["email"], NEW_PASSWORD))["accessToken"]
    # Every session from before the reset is revoked.
    refresh = await identity.graphql(REFRESH, {"token": tokens["refreshToken"]})
    assert refresh["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Only the hash is stored.
    async with identity.database.sessions() as session:
        hashes = list(await session.scalars(select(PasswordReset.token_hash)))
    assert token not in hashes


async def test_known_and_unknown_emails_get_the_same_answer_and_only_one_email(
    identity_with_mail, smtp_server
):
    identity = identity_with_mail
    user = await register(identity, unique_email("known"))

    known = await identity.graphql(REQUEST, {"email": user["email"]})
    unknown = await identity.graphql(REQUEST, {"email": unique_email("unknown")})
    malformed = await identity.graphql(REQUEST, {"email": "not an email"})

    assert known == unknown == malformed
    assert "errors" not in known
    await smtp_server.wait_for_message(1)
    await identity.graphql("{ __typename }")  # let a (wrong) second email arrive, if any
    assert len(smtp_server.messages) == 1
    async with identity.database.sessions() as session:
        kinds = list(
            await session.scalars(
                select(AuditEvent.kind).where(AuditEvent.kind == "password.reset_requested")
            )
        )
    assert len(kinds) == 3


async def test_a_reset_token_works_once(identity_with_mail, smtp_server):
    identity = identity_with_mail
    user = await register(identity, unique_email("once"))
    await identity.graphql(REQUEST, {"email": user["email"]})
    token = await reset_token(smtp_server)

    first = await identity.graphql(COMPLETE, {"token": token, "password": NEW_PASSWORD})
    second = await identity.graphql(
        COMPLETE, {"token": token, "password": "yet another passphrase 99"}
    )

    assert "errors" not in first
    [error] = second["errors"]
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "token",
        "reason": "INVALID_RESET_TOKEN",
    }
    assert (await login(identity, user["email"], NEW_PASSWORD))["accessToken"]


async def test_an_expired_reset_token_is_refused(identity_with_mail, smtp_server):
    identity = identity_with_mail
    user = await register(identity, unique_email("late"))
    await identity.graphql(REQUEST, {"email": user["email"]})
    token = await reset_token(smtp_server)
    async with identity.database.sessions() as session:
        await session.execute(
            update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()

    body = await identity.graphql(COMPLETE, {"token": token, "password": NEW_PASSWORD})

    assert body["errors"][0]["extensions"]["reason"] == "INVALID_RESET_TOKEN"
    assert (await login(identity, user["email"]))["accessToken"]  # old password still works


async def test_a_weak_new_password_is_refused_without_spending_the_token(
    identity_with_mail, smtp_server
):
    identity = identity_with_mail
    user = await register(identity, unique_email("weak"))
    await identity.graphql(REQUEST, {"email": user["email"]})
    token = await reset_token(smtp_server)

    weak = await identity.graphql(COMPLETE, {"token": token, "password": "short"})
    strong = await identity.graphql(COMPLETE, {"token": token, "password": NEW_PASSWORD})

    assert weak["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "newPassword"}
    assert "errors" not in strong


async def test_an_unknown_token_is_refused(identity_with_mail):
    body = await identity_with_mail.graphql(
        COMPLETE, {"token": "made-up-token", "password": NEW_PASSWORD}
    )

    assert body["errors"][0]["extensions"]["reason"] == "INVALID_RESET_TOKEN"


async def test_reset_emails_are_limited_per_account_and_per_address_with_the_same_answer(
    identity_with_mail, smtp_server
):
    identity = identity_with_mail
    user = await register(identity, unique_email("flooded"))
    headers = {"X-Forwarded-For": "198.51.100.40"}
    answers = [
        await identity.graphql(REQUEST, {"email": user["email"]}, headers=headers) for _ in range(5)
    ]
    await smtp_server.wait_for_message(3)
    for _ in range(16):  # 21 requests from the address in all
        await identity.graphql(REQUEST, {"email": unique_email("spray")}, headers=headers)
    other = await register(identity, unique_email("neighbour"))
    limited = await identity.graphql(REQUEST, {"email": other["email"]}, headers=headers)
    allowed = await identity.graphql(
        REQUEST, {"email": other["email"]}, headers={"X-Forwarded-For": "192.0.2.77"}
    )

    assert all(answer == answers[0] for answer in [*answers, limited, allowed])
    await smtp_server.wait_for_message(4)
    await identity.graphql("{ __typename }")
    assert [message.rcpt_tos for message in smtp_server.messages] == [
        [user["email"]],
        [user["email"]],
        [user["email"]],
        [other["email"]],
    ]
