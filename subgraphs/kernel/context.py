"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from subgraphs.kernel.auth import AccessClaims, InvalidToken, TokenVerifier, bearer_token
from subgraphs.kernel.bus import EventBus
from subgraphs.kernel.errors import Forbidden, Unauthenticated
from subgraphs.kernel.loaders import Loaders

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is calling, from a verified `Authorization: Bearer` access token (anonymous without).

    `roles` and `scopes` are the token's (lower-case role names, OAuth scopes)."""

    user_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    amr: tuple[str, ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def require_user_id(self) -> str:
        """The viewer's user id, or UNAUTHENTICATED."""
        if self.user_id is None:
            raise Unauthenticated("You must be signed in to do this.")
        return self.user_id

    def require_role(self, role: str) -> None:
        """UNAUTHENTICATED when anonymous, FORBIDDEN without `role`."""
        self.require_user_id()
        if role not in self.roles:
            raise Forbidden(f"This needs the {role} role.")

    def require_scope(self, *scopes: str) -> None:
        """UNAUTHENTICATED when anonymous, FORBIDDEN unless the token carries one of `scopes`."""
        self.require_user_id()
        if not any(scope in self.scopes for scope in scopes):
            raise Forbidden(f"This needs the {' or '.join(scopes)} scope.")

    @classmethod
    def from_claims(cls, claims: AccessClaims) -> Viewer:
        return cls(
            user_id=claims.user_id,
            roles=claims.roles,
            scopes=claims.scopes,
            session_id=claims.session_id,
            amr=claims.amr,
        )


ANONYMOUS = Viewer()


@dataclass(slots=True)
class SubgraphContext:
    """`session` is the request's unit of work; commit/rollback belongs to the kernel.
    `events` is the app's `EventBus` (docs/events.md). Over WebSocket, one context serves the
    whole connection: `connection_params` is `connection_init`'s payload, and `viewer` is set
    from its `Authorization` when the connection is acknowledged."""

    request: HTTPConnection
    session: AsyncSession
    viewer: Viewer
    loaders: Loaders
    request_id: str
    events: EventBus
    connection_params: dict[str, Any] | None = None


def request_id_from(request: HTTPConnection) -> str:
    """The caller's `X-Request-Id` when it looks sane (the router forwards it), else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex


async def viewer_from(request: HTTPConnection) -> Viewer:
    """The caller, from its `Authorization: Bearer` access token verified by the app's
    `TokenVerifier` (`app.state.token_verifier`, opened in the lifespan). No header: anonymous.
    A bad token raises `InvalidToken` (UNAUTHENTICATED): it never falls back to anonymous."""
    return await viewer_for(request, request.headers.get("authorization"))


async def viewer_for(request: HTTPConnection, authorization: str | None) -> Viewer:
    """The caller presenting `authorization` (an `Authorization` header's value, or the one in a
    WebSocket's `connection_init` payload) to `request`'s app; rules as `viewer_from`."""
    token = bearer_token(authorization)
    if token is None:
        return ANONYMOUS
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise InvalidToken("this service verifies no tokens")
    return Viewer.from_claims(await verifier.verify(token))


def build_context(
    request: HTTPConnection, session: AsyncSession, viewer: Viewer = ANONYMOUS
) -> SubgraphContext:
    return SubgraphContext(
        request=request,
        session=session,
        viewer=viewer,
        loaders=Loaders(session),
        request_id=request_id_from(request),
        events=request.app.state.events,
    )
