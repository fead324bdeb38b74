"""Bearer token verification for every subgraph (docs/identity-and-access.md, the token contract).

`TokenVerifier.verify(token)` checks an access token the way the contract says: EdDSA only
(`none`, `HS256`, `RS256`... are refused before any key is touched), a `kid` the issuer publishes,
the signature, then `iss`, `aud`, `sub`, `iat`, `exp` with 30 seconds of clock skew. Keys come
from a `KeySource`: `JwksKeySource` fetches `EHB_JWKS_URL` (cached; refetched, rate-limited, when
a token names an unknown `kid`); the identity subgraph plugs in its own key store.

The verifier and its HTTP client live in the app lifespan (`open_token_verifier`); nothing here
connects at import time. A request without `Authorization` is anonymous; a request with a bad
token gets UNAUTHENTICATED (`InvalidToken`), never anonymous.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final, Protocol

import aiohttp
from joserfc import jwt
from joserfc._rfc7515.model import JWSAlgModel as _JWSAlgModel
from joserfc.errors import (
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet, OKPKey
from joserfc.jws import JWSRegistry

from subgraphs.kernel.errors import Unauthenticated
from subgraphs.kernel.settings import Settings

__all__ = [
    "ACCESS_TOKEN_ALGORITHM",
    "CLOCK_SKEW_SECONDS",
    "EDDSA_ONLY",
    "ROLE_SCOPES",
    "AccessClaims",
    "InvalidToken",
    "JwksKeySource",
    "KeySource",
    "KeysUnavailable",
    "StaticKeySource",
    "TokenVerifier",
    "bearer_token",
    "open_token_verifier",
    "scopes_for_roles",
]

logger = logging.getLogger("subgraphs.kernel.auth")

ACCESS_TOKEN_ALGORITHM: Final = "EdDSA"
CLOCK_SKEW_SECONDS: Final = 30
JWKS_REFETCH_INTERVAL_SECONDS: Final = 30.0
JWKS_RETRY_SECONDS: Final = 1.0  # after a failed fetch

USER_SCOPES: Final = ("profile", "wallets", "orders", "tickets", "notifications", "media")
ROLE_SCOPES: Final[Mapping[str, tuple[str, ...]]] = {
    "user": USER_SCOPES,
    "seller": ("seller",),
    "affiliate": ("affiliate",),
    "franchise_owner": ("franchise",),
    "support_agent": ("support",),
    "operator": ("operator",),
    "admin": (
        *USER_SCOPES,
        "seller",
        "affiliate",
        "franchise",
        "support",
        "operator",
        "admin",
    ),
}


def scopes_for_roles(roles: Iterable[str]) -> list[str]:
    """The union of the scopes of `roles` (lower-case role names), sorted; `user` is implied."""
    scopes: set[str] = set(ROLE_SCOPES["user"])
    for role in roles:
        scopes.update(ROLE_SCOPES.get(role, ()))
    return sorted(scopes)


class _EdDSAOnlyRegistry(JWSRegistry):
    """A JWS registry that knows exactly one algorithm: EdDSA (Ed25519).

    joserfc warns that RFC 9864 deprecates the polymorphic `EdDSA` name; the contract pins it,
    so this registry hands the algorithm out without the warning and refuses every other name."""

    def get_alg(self, name: str) -> _JWSAlgModel:
        if name != ACCESS_TOKEN_ALGORITHM:
            raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not allowed")
        return self.algorithms[name]


EDDSA_ONLY: Final = _EdDSAOnlyRegistry(algorithms=[ACCESS_TOKEN_ALGORITHM])


class InvalidToken(Unauthenticated):
    """The bearer token cannot be trusted (malformed, badly signed, expired, wrong audience...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid access token: {reason}.")
        self.reason = reason


class KeysUnavailable(Unauthenticated):
    """The issuer's keys could not be fetched, so the token could not be judged: a valid token
    must not be condemned for an outage (HTTP 503, like the router)."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The token cannot be checked now: the identity keys at {url} are unreachable. "
            "Try again shortly.",
            reason="KEYS_UNAVAILABLE",
        )


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says about its bearer."""

    user_id: str
    session_id: str | None
    roles: frozenset[str]
    scopes: frozenset[str]
    amr: tuple[str, ...]
    token_id: str | None
    expires_at: int


class KeySource(Protocol):
    """Where a verifier finds the issuer's public keys."""

    async def key_for(self, kid: str) -> OKPKey | None:
        """The public key named `kid`, or None when the issuer does not publish it."""
        ...


class StaticKeySource:
    """A fixed key set (the identity subgraph's own store, or tests)."""

    def __init__(self, keys: KeySet | Callable[[], KeySet]) -> None:
        self._keys = keys

    async def key_for(self, kid: str) -> OKPKey | None:
        keys = self._keys() if callable(self._keys) else self._keys
        return _find_okp(keys, kid)


def _find_okp(keys: KeySet, kid: str) -> OKPKey | None:
    for key in keys:
        if key.kid == kid and isinstance(key, OKPKey) and key.curve_name == "Ed25519":
            return key
    return None


class JwksKeySource:
    """The issuer's JWKS fetched over HTTP, cached, refetched at most every
    `min_refetch_interval` seconds when a token names a `kid` the cache lacks."""

    def __init__(
        self,
        url: str,
        client: aiohttp.ClientSession,
        *,
        min_refetch_interval: float = JWKS_REFETCH_INTERVAL_SECONDS,
    ) -> None:
        self._url = url
        self._client = client
        self._min_interval = min_refetch_interval
        self._keys: KeySet | None = None
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> OKPKey | None:
        """The key `kid`, or None when the issuer does not publish it. `KeysUnavailable` when
        the JWKS that would decide it cannot be fetched (retried after a second, not after
        the rate limit for unknown kids)."""
        if self._keys is not None:
            found = _find_okp(self._keys, kid)
            if found is not None:
                return found
        async with self._lock:
            if self._keys is not None:  # another request may have refetched meanwhile
                found = _find_okp(self._keys, kid)
                if found is not None:
                    return found
            now = time.monotonic()
            if self._failed_at is not None and now - self._failed_at < JWKS_RETRY_SECONDS:
                raise KeysUnavailable(self._url)
            if self._fetched_at is not None and now - self._fetched_at < self._min_interval:
                return None
            fetched = await self._fetch()
            if fetched is None:
                self._failed_at = now
                raise KeysUnavailable(self._url)
            self._keys, self._fetched_at, self._failed_at = fetched, now, None
        return _find_okp(self._keys, kid)

    async def _fetch(self) -> KeySet | None:
        try:
            async with self._client.get(self._url) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
            keys = [key for key in document["keys"] if "d" not in key]  # public parts only
            return KeySet.import_key_set({"keys": keys})
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError, JoseError):
            logger.warning("could not fetch the JWKS from %s", self._url, exc_info=True)
            return None


def _b64_json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


class TokenVerifier:
    """Verifies access tokens per the contract against the keys of `keys`."""

    def __init__(self, keys: KeySource, *, issuer: str, audience: str) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience

    async def verify(self, token: str) -> AccessClaims:
        """The token's claims, or `InvalidToken` saying (briefly) what is wrong."""
        header = self._header(token)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the header names no key (kid)")
        key = await self._keys.key_for(kid)
        if key is None:
            raise InvalidToken("it was signed by a key the issuer does not publish")
        try:
            decoded = jwt.decode(
                token, key, algorithms=[ACCESS_TOKEN_ALGORITHM], registry=EDDSA_ONLY
            )
        except JoseError as exc:
            raise InvalidToken("the signature does not verify") from exc
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            sub={"essential": True},
            iat={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise InvalidToken(_claim_problem(exc)) from exc
        return _access_claims(claims)

    @staticmethod
    def _header(token: str) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3 or not all(parts[:2]):
            raise InvalidToken("it is not a signed JWT (JWS compact serialisation)")
        try:
            header = _b64_json(parts[0])
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidToken("the header is not base64url JSON") from exc
        if not isinstance(header, dict):
            raise InvalidToken("the header is not a JSON object")
        if header.get("alg") != ACCESS_TOKEN_ALGORITHM:
            raise InvalidToken(f"only {ACCESS_TOKEN_ALGORITHM} signatures are accepted")
        return header


def _claim_problem(exc: JoseError) -> str:
    if isinstance(exc, ExpiredTokenError):
        return "it has expired"
    if isinstance(exc, MissingClaimError):
        return f"a required claim is missing ({exc.description})"
    return f"a claim is not acceptable ({exc.description})"


def _strings(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _access_claims(claims: Mapping[str, Any]) -> AccessClaims:
    roles = _strings(claims.get("roles", []))
    scope = claims.get("scope", "")
    amr = _strings(claims.get("amr", []))
    sid = claims.get("sid")
    jti = claims.get("jti")
    if roles is None or not isinstance(scope, str) or amr is None:
        raise InvalidToken("roles, scope or amr have the wrong shape")
    if sid is not None and not isinstance(sid, str):
        raise InvalidToken("sid must be a string")
    return AccessClaims(
        user_id=str(claims["sub"]),
        session_id=sid,
        roles=frozenset(roles),
        scopes=frozenset(scope.split()),
        amr=tuple(amr),
        token_id=jti if isinstance(jti, str) else None,
        expires_at=int(claims["exp"]),
    )


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None without the header.
    Any other scheme, or an empty token, is `InvalidToken` (never silently anonymous)."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("the Authorization header must be 'Bearer <token>'")
    return token.strip()


class _NoKeys:
    async def key_for(self, kid: str) -> OKPKey | None:
        return None


@asynccontextmanager
async def open_token_verifier(settings: Settings) -> AsyncIterator[TokenVerifier]:
    """The verifier a subgraph uses for its lifetime: keys from `EHB_JWKS_URL` (one pooled HTTP
    client, closed on exit), or no keys at all when the setting is empty (every token refused)."""
    if not settings.jwks_url:
        yield TokenVerifier(
            _NoKeys(), issuer=settings.token_issuer, audience=settings.token_audience
        )
        return
    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as client:
        yield TokenVerifier(
            JwksKeySource(settings.jwks_url, client),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
        )
