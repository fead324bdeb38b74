"""Registration with a password: the policy, Argon2id with OWASP parameters, rehash on login."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from sqlalchemy import select

from subgraphs.identity.models import User
from subgraphs.identity.passwords import HASHER, common_passwords, verify_password
from subgraphs.identity.services import register_user
from tests.subgraphs.identity.auth_client import (
    PASSWORD,
    REGISTER,
    login,
    register,
    unique_email,
)


async def stored_hash(identity, email: str) -> str | None:
    async with identity.database.sessions() as session:
        return await session.scalar(select(User.password_hash).where(User.email == email))


async def test_a_password_is_stored_as_argon2id_with_owasp_parameters(identity):
    user = await register(identity, unique_email("hash"))

    stored = await stored_hash(identity, user["email"])

    assert stored is not None and PASSWORD not in stored
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, PASSWORD).ok
    assert not verify_password(stored, PASSWORD + "x").ok


async def test_short_and_common_passwords_are_refused(identity):
    assert "correcthorsebatterystaple" in common_passwords() or len(common_passwords()) > 10000
    common_long = next(p for p in sorted(common_passwords()) if len(p) >= 12)
    for password in ("short-pw", "x" * 11, common_long, common_long.upper(), "aaaaaaaaaaaaaaaa"):
        body = await identity.graphql(
            REGISTER,
            {"input": {"email": unique_email("weak"), "displayName": "W", "password": password}},
        )
        [error] = body["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "password"}, password
        assert password not in error["message"]


async def test_a_hash_made_with_old_parameters_is_upgraded_at_login(identity):
    user = await register(identity, unique_email("rehash"))
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    async with identity.database.sessions() as session:
        row = await session.scalar(select(User).where(User.email == user["email"]))
        assert row is not None
        row.password_hash = weak.hash(PASSWORD)
        await session.commit()

    await login(identity, user["email"])

    upgraded = await stored_hash(identity, user["email"])
    assert upgraded is not None and not HASHER.check_needs_rehash(upgraded)
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_registration_needs_a_password(identity):
    body = await identity.graphql(
        REGISTER, {"input": {"email": unique_email("nopassword"), "displayName": "No Password"}}
    )

    [error] = body["errors"]
    assert "password" in error["message"]


async def test_an_account_without_a_password_cannot_sign_in(identity):
    # Seeded demo accounts have none until a password reset sets one.
    email = unique_email("nopassword")
    async with identity.database.sessions() as session:
        await register_user(session, email=email, display_name="No Password")
        await session.commit()

    attempt = await identity.graphql(
        "mutation($i: LoginInput!) { login(input: $i) { tokens { accessToken } } }",
        {"i": {"email": email, "password": "anything at all 123"}},
    )

    assert attempt["errors"][0]["extensions"]["reason"] == "INVALID_CREDENTIALS", attempt
