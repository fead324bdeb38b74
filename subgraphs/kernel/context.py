"""The per-request context every resolver receives as `info.context`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from subgraphs.kernel.errors import Forbidden, Unauthenticated
from subgraphs.kernel.loaders import Loaders

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is calling. Anonymous until identity issues JWTs (verified from `Authorization`)."""

    user_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

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


ANONYMOUS = Viewer()


@dataclass(slots=True)
class SubgraphContext:
    """`session` is the request's unit of work; commit/rollback belongs to the kernel."""

    request: HTTPConnection
    session: AsyncSession
    viewer: Viewer
    loaders: Loaders
    request_id: str


def request_id_from(request: HTTPConnection) -> str:
    """The caller's `X-Request-Id` when it looks sane (the router forwards it), else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex


def viewer_from(request: HTTPConnection) -> Viewer:
    """Identity claims of the caller. Bearer JWT verification arrives with the auth issue;
    until then every caller is anonymous (an unverified header must never grant identity)."""
    return ANONYMOUS


def build_context(request: HTTPConnection, session: AsyncSession) -> SubgraphContext:
    return SubgraphContext(
        request=request,
        session=session,
        viewer=viewer_from(request),
        loaders=Loaders(session),
        request_id=request_id_from(request),
    )
