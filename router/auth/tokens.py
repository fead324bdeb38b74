"""Verify ``Authorization: Bearer`` access tokens as docs/identity-and-access.md specifies.

JWS compact, signed with Ed25519: the algorithm is pinned to ``EdDSA`` (``none``, ``HS256``,
``RS256``... are refused before any key is looked at), the ``kid`` must name a key of the
issuer's JWKS, and ``iss``, ``aud``, ``sub``, ``iat`` and ``exp`` are required, with 30 seconds of
clock skew allowed. A refused token raises ``TokenRejected`` whose message says what is wrong
without echoing the token or internals.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwa import EdDSAAlgorithm, JWSAlgModel
from joserfc.jws import JWSRegistry
from joserfc.jwt import JWTClaimsRegistry

from router.auth.jwks import JwksCache
from router.auth.principal import Principal

ALGORITHM = "EdDSA"
LEEWAY_SECONDS = 30
MAX_TOKEN_BYTES = 8192
VERIFIED_CACHE_SIZE = 4096


class TokenRejected(Exception):
    """The bearer token is not acceptable; ``str(error)`` is safe to show the client."""


class _QuietEdDSA(EdDSAAlgorithm):
    security_warning = ""  # falsy: joserfc issues no warning


class _PinnedEdDSARegistry(JWSRegistry):
    """A JWS registry that knows EdDSA alone.

    joserfc warns on every EdDSA use because RFC 9864 prefers the fully specified name
    ``Ed25519``; the token contract fixes ``EdDSA`` with Ed25519 keys, so the warning is moot.
    """

    algorithms: dict[str, JWSAlgModel] = {ALGORITHM: _QuietEdDSA()}


class TokenVerifier:
    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self._clock = clock
        self._registry = _PinnedEdDSARegistry(algorithms=[ALGORITHM])
        # Tokens already verified (a signature check costs ~0.2 ms; clients resend one token
        # for many requests): token -> (principal, kid, exp). A hit still needs an unexpired
        # token and its key still published, so retired keys stop working after a refresh.
        self._verified: OrderedDict[str, tuple[Principal, str, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises ``TokenRejected`` (or ``JwksUnavailable``
        when the issuer's keys cannot be fetched)."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, kid, expires = cached
            if expires > self._clock() - LEEWAY_SECONDS and await self._jwks.key(kid) is not None:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]  # and verify again, for the precise reason
        principal, kid, expires = await self._verify(token)
        self._verified[token] = (principal, kid, expires)
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, str, float]:
        header = _header(token)
        algorithm = header.get("alg")
        if algorithm != ALGORITHM:
            raise TokenRejected(f"tokens signed with {_shown(algorithm)} are not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("the token names no signing key (kid)")
        key = await self._jwks.key(kid)
        if key is None:
            raise TokenRejected("the token is signed with a key the issuer does not publish")
        try:
            decoded = jwt.decode(token, key, algorithms=[ALGORITHM], registry=self._registry)
        except BadSignatureError:
            raise TokenRejected("the token's signature is invalid") from None
        except JoseError:
            raise TokenRejected("the token is malformed") from None
        self._check_claims(decoded.claims)
        return Principal.from_claims(decoded.claims), kid, float(decoded.claims["exp"])

    def _check_claims(self, claims: dict[str, Any]) -> None:
        registry = JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            sub={"essential": True},
            iat={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise TokenRejected("the token has expired") from None
        except MissingClaimError as error:
            raise TokenRejected(f"the token lacks required claims ({error.claim})") from None
        except InvalidClaimError as error:
            raise TokenRejected(_invalid_claim_message(error)) from None
        except ClaimError:
            raise TokenRejected("the token's claims are invalid") from None


def _invalid_claim_message(error: InvalidClaimError) -> str:
    claim = error.claim
    if claim == "aud":
        return "the token is not meant for this API (audience)"
    if claim == "iss":
        return "the token was not issued by the expected issuer"
    if claim == "iat":
        return "the token's issue time is invalid or in the future"
    if claim == "nbf":
        return "the token is not valid yet"
    return f"the token's {claim!r} claim is invalid"


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenRejected("the token is too large")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise TokenRejected("the token is not a signed JWT (header.payload.signature)")
    try:
        raw = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4))
        header = orjson.loads(raw)
    except (binascii.Error, ValueError):
        raise TokenRejected("the token's header is not valid base64url JSON") from None
    if not isinstance(header, dict):
        raise TokenRejected("the token's header is not a JSON object")
    return header


def _shown(algorithm: Any) -> str:
    if isinstance(algorithm, str) and len(algorithm) <= 16 and algorithm.isprintable():
        return repr(algorithm)
    return "an unknown algorithm"
