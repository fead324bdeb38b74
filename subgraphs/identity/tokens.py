"""Access tokens (signed JWTs per docs/identity-and-access.md) and opaque secrets.

Refresh tokens, password-reset tokens and MFA recovery codes are random secrets handed to the
client once; the database keeps only their SHA-256 (`secret_hash`): they carry 256 bits of
entropy, so a fast hash is enough and lookups stay one indexed SELECT.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable

from joserfc import jwt

from subgraphs.identity.keys import ACCESS_TOKEN_TTL_SECONDS, SigningKeys
from subgraphs.kernel.auth import ACCESS_TOKEN_ALGORITHM, EDDSA_ONLY, scopes_for_roles


def new_secret() -> str:
    """A fresh opaque token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_access_token(
    keys: SigningKeys,
    *,
    user_id: str,
    session_id: str,
    roles: Iterable[str],
    amr: Iterable[str],
    issuer: str,
    audience: str,
    now: int | None = None,
) -> tuple[str, int]:
    """A signed access token and its expiry (unix seconds). `roles` are lower-case names."""
    issued_at = int(time.time()) if now is None else now
    expires_at = issued_at + ACCESS_TOKEN_TTL_SECONDS
    role_names = sorted(set(roles))
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": user_id,
        "iat": issued_at,
        "exp": expires_at,
        "jti": secrets.token_urlsafe(16),
        "sid": session_id,
        "roles": role_names,
        "scope": " ".join(scopes_for_roles(role_names)),
        "amr": list(amr),
    }
    keys.reload()  # a key rotated in by `ehb identity-keys rotate` signs from now on
    key = keys.signing_key
    header = {"alg": ACCESS_TOKEN_ALGORITHM, "typ": "JWT", "kid": key.kid}
    token = jwt.encode(
        header, claims, key, algorithms=[ACCESS_TOKEN_ALGORITHM], registry=EDDSA_ONLY
    )
    return token, expires_at
