"""Pipeline step 1b: who is calling. ``Authorization: Bearer <access token>`` is verified
(``router.auth.tokens``); no header means an anonymous caller. A header that is not a usable
bearer token refuses the whole request: HTTP 401 with ``UNAUTHENTICATED`` and a message saying
what is wrong. Without a configured JWKS there is nothing to verify against: every request is
anonymous (the header is still forwarded to subgraphs, which verify it themselves)."""

from __future__ import annotations

import logging

from starlette.requests import Request

from router.auth import JwksUnavailable, Principal, TokenRejected, TokenVerifier
from router.errors import RequestError

logger = logging.getLogger(__name__)

UNAUTHENTICATED = "UNAUTHENTICATED"
WWW_AUTHENTICATE = 'Bearer realm="ehb", error="invalid_token"'


async def authenticate(request: Request, verifier: TokenVerifier | None) -> Principal | None:
    """The caller's principal, or None when anonymous; raises ``RequestError`` (401, 503)."""
    return await authenticate_header(request.headers.get("authorization"), verifier)


async def authenticate_header(
    header: str | None, verifier: TokenVerifier | None
) -> Principal | None:
    """``authenticate`` for an ``Authorization`` value from anywhere (a WebSocket's
    ``connection_init`` payload too)."""
    if header is None or verifier is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthenticated("The Authorization header must be 'Bearer <access token>'")
    try:
        return await verifier.verify(token)
    except TokenRejected as error:
        logger.info("refused a bearer token: %s", error)
        raise unauthenticated(f"Invalid access token: {error}") from None
    except JwksUnavailable as error:
        logger.warning("cannot verify a bearer token: %s", error)
        raise RequestError(
            [
                {
                    "message": "The access token cannot be verified right now "
                    "(the identity keys are unavailable); try again shortly",
                    "extensions": {"code": UNAUTHENTICATED, "reason": "KEYS_UNAVAILABLE"},
                }
            ],
            status_code=503,
        ) from None


def unauthenticated(message: str) -> RequestError:
    return RequestError(
        [{"message": message, "extensions": {"code": UNAUTHENTICATED}}], status_code=401
    )
