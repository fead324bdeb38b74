"""Brute-force defence over real HTTP: failures are counted in the database per email and per
client address; throttling, then a temporary lock (audited once); unknown and known emails get
byte-identical answers at every stage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from subgraphs.identity.app import create_app
from subgraphs.identity.authentication import BruteForcePolicy
from subgraphs.identity.models import AuditEvent, LoginFailure
from subgraphs.kernel.testing import RunningSubgraph, running_subgraph
from tests.subgraphs.identity.auth_client import (
    PASSWORD,
    login,
    login_body,
    register,
    unique_email,
)

WRONG = "definitely not the password"
ACCOUNT_POLICY = BruteForcePolicy(
    window_seconds=600,
    account_throttle_after=3,
    account_lock_after=5,
    address_throttle_after=1000,
    address_lock_after=2000,
    base_delay_seconds=0.2,
)


@pytest.fixture
async def guarded(tmp_path) -> AsyncIterator[RunningSubgraph]:
    async with running_subgraph(
        "identity", tmp_path, app_factory=lambda s: create_app(s, brute_force=ACCOUNT_POLICY)
    ) as running:
        yield running


def error_of(body: dict) -> dict:
    assert body["data"] is None, body
    [error] = body["errors"]
    return error


async def count(identity: RunningSubgraph, model: type, *conditions: object) -> int:
    async with identity.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*conditions)))


async def test_known_and_unknown_emails_fail_identically_through_throttle_and_lock(guarded):
    known = (await register(guarded, unique_email("known")))["email"]
    unknown = unique_email("nobody")
    answers: dict[str, list[dict]] = {known: [], unknown: []}

    async def attempt_both() -> None:
        for email in (known, unknown):
            answers[email].append(await login_body(guarded, email, WRONG))

    for _ in range(3):  # plain failures
        await attempt_both()
    await attempt_both()  # at once: throttled
    await asyncio.sleep(0.25)
    await attempt_both()  # 4th failure
    await asyncio.sleep(0.45)
    await attempt_both()  # 5th failure: locked from now on
    await attempt_both()  # locked

    assert answers[known] == answers[unknown]
    reasons = [error_of(body)["extensions"]["reason"] for body in answers[known]]
    assert reasons == [
        "INVALID_CREDENTIALS",
        "INVALID_CREDENTIALS",
        "INVALID_CREDENTIALS",
        "THROTTLED",
        "INVALID_CREDENTIALS",
        "INVALID_CREDENTIALS",
        "LOCKED",
    ]
    assert error_of(answers[known][0])["message"] == "Wrong email or password."
    throttled = error_of(answers[known][3])
    assert throttled["extensions"]["code"] == "UNAUTHENTICATED"
    assert throttled["extensions"]["retryAfterSeconds"] >= 1
    locked = error_of(answers[known][-1])
    assert locked["extensions"]["retryAfterSeconds"] == ACCOUNT_POLICY.window_seconds
    assert "locked" in locked["message"]


async def test_the_lock_refuses_even_the_right_password_and_is_audited_once(guarded):
    user = await register(guarded, unique_email("victim"))
    for attempt in range(ACCOUNT_POLICY.account_lock_after):
        if attempt >= ACCOUNT_POLICY.account_throttle_after:
            await asyncio.sleep(ACCOUNT_POLICY.base_delay_seconds * 2 ** (attempt - 3) + 0.05)
        body = await login_body(guarded, user["email"], WRONG)
        assert error_of(body)["extensions"]["reason"] == "INVALID_CREDENTIALS"

    right = await login_body(guarded, user["email"], PASSWORD)
    again = await login_body(guarded, user["email"], PASSWORD)

    assert error_of(right)["extensions"]["reason"] == "LOCKED"
    assert error_of(again)["extensions"]["reason"] == "LOCKED"
    # The failures and the lock persisted although every one of those requests failed.
    assert await count(guarded, LoginFailure, LoginFailure.email == user["email"]) == 5
    assert (
        await count(
            guarded,
            AuditEvent,
            AuditEvent.kind == "login.locked",
            AuditEvent.user_id == user["id"],
        )
        == 1
    )
    assert (
        await count(
            guarded,
            AuditEvent,
            AuditEvent.kind == "login.failed",
            AuditEvent.user_id == user["id"],
        )
        == 5
    )


async def test_a_success_clears_the_accounts_failures(guarded):
    user = await register(guarded, unique_email("forgetful"))
    for _ in range(ACCOUNT_POLICY.account_throttle_after - 1):
        await login_body(guarded, user["email"], WRONG)

    await login(guarded, user["email"])

    assert await count(guarded, LoginFailure, LoginFailure.email == user["email"]) == 0
    for _ in range(ACCOUNT_POLICY.account_throttle_after - 1):
        body = await login_body(guarded, user["email"], WRONG)
        assert error_of(body)["extensions"]["reason"] == "INVALID_CREDENTIALS"


async def test_emails_differing_only_in_case_share_one_counter(guarded):
    email = unique_email("case")
    for variant in (email, email.upper(), f"  {email.title()} ")[
        : ACCOUNT_POLICY.account_throttle_after
    ]:
        await login_body(guarded, variant, WRONG)

    body = await login_body(guarded, email, WRONG)

    assert error_of(body)["extensions"]["reason"] == "THROTTLED"


async def test_a_proxy_without_forwarded_addresses_is_not_locked_as_one_client(tmp_path):
    policy = BruteForcePolicy(
        window_seconds=600,
        account_throttle_after=100,
        account_lock_after=200,
        address_throttle_after=2,
        address_lock_after=3,
        base_delay_seconds=0.1,
    )
    async with running_subgraph(
        "identity", tmp_path, app_factory=lambda s: create_app(s, brute_force=policy)
    ) as identity:
        user = await register(identity, unique_email("behind-proxy"))
        for _ in range(policy.address_lock_after + 1):
            body = await login_body(identity, unique_email("spray"), WRONG)
            assert error_of(body)["extensions"]["reason"] == "INVALID_CREDENTIALS"

        assert (await login(identity, user["email"]))["accessToken"]


async def test_failures_from_one_address_across_many_emails_lock_the_address(tmp_path):
    policy = BruteForcePolicy(
        window_seconds=600,
        account_throttle_after=100,
        account_lock_after=200,
        address_throttle_after=1000,
        address_lock_after=4,
        base_delay_seconds=0.1,
    )
    async with running_subgraph(
        "identity", tmp_path, app_factory=lambda s: create_app(s, brute_force=policy)
    ) as identity:
        user = await register(identity, unique_email("innocent"))
        attacker = {"X-Forwarded-For": "198.51.100.23"}  # as the router (a trusted proxy) says
        for _ in range(policy.address_lock_after):
            body = await login_body(identity, unique_email("spray"), WRONG, headers=attacker)
            assert error_of(body)["extensions"]["reason"] == "INVALID_CREDENTIALS"

        body = await login_body(identity, user["email"], PASSWORD, headers=attacker)
        elsewhere = await login_body(
            identity, user["email"], PASSWORD, headers={"X-Forwarded-For": "192.0.2.5"}
        )

        assert error_of(body)["extensions"]["reason"] == "LOCKED"
        assert "errors" not in elsewhere  # another client of the same proxy is not locked out
        async with identity.database.sessions() as session:
            details = await session.scalar(
                select(AuditEvent.details).where(AuditEvent.kind == "login.locked")
            )
        assert details is not None and details["scope"] == "address"
