"""Helpers for identity's authentication tests: register, sign in, call with a bearer token."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from subgraphs.identity.models import User
from subgraphs.kernel.testing import RunningSubgraph

PASSWORD = "correct horse battery staple 42"

REGISTER = """
mutation Register($input: RegisterUserInput!) {
  registerUser(input: $input) { id email roles status }
}
"""
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    tokens {
      accessToken tokenType accessTokenExpiresAt refreshToken
      session { id userAgent ipAddress current }
      user { id email roles }
    }
    mfaChallenge { id expiresAt }
  }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  refreshSession(input: { refreshToken: $token }) {
    tokens { accessToken refreshToken session { id } }
  }
}
"""


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register(
    identity: RunningSubgraph, email: str | None = None, password: str = PASSWORD
) -> dict[str, Any]:
    variables = {
        "input": {"email": email or unique_email(), "displayName": "Someone", "password": password}
    }
    body = await identity.graphql(REGISTER, variables)
    assert "errors" not in body, body
    user: dict[str, Any] = body["data"]["registerUser"]
    return user


async def login_body(
    identity: RunningSubgraph,
    email: str,
    password: str = PASSWORD,
    *,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return await identity.graphql(
        LOGIN, {"input": {"email": email, "password": password}}, headers=headers
    )


async def login(identity: RunningSubgraph, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """The `tokens` of a successful sign-in."""
    body = await login_body(identity, email, password, headers={"User-Agent": "pytest-device"})
    assert "errors" not in body, body
    tokens: dict[str, Any] = body["data"]["login"]["tokens"]
    return tokens


async def signed_in_user(identity: RunningSubgraph, prefix: str = "user") -> tuple[dict, dict]:
    """A new account and its tokens."""
    user = await register(identity, unique_email(prefix))
    return user, await login(identity, user["email"])


async def grant_roles(identity: RunningSubgraph, user_id: str, *roles: str) -> None:
    """Give a user roles directly in the database (tests need a first admin)."""
    async with identity.database.sessions() as session:
        await session.execute(
            update(User).where(User.id == user_id).values(roles=sorted({"USER", *roles}))
        )
        await session.commit()


async def signed_in_admin(identity: RunningSubgraph) -> tuple[dict, dict]:
    user = await register(identity, unique_email("admin"))
    await grant_roles(identity, user["id"], "ADMIN")
    return user, await login(identity, user["email"])
