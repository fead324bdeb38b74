"""Ownership checks every subgraph applies on top of the token (docs/identity-and-access.md).

The router enforces `@authenticated`/`@requiresScopes` from the supergraph; a subgraph must be
just as safe when called directly, so its resolvers and services check again with these:
- `is_staff(viewer, *scopes)`: the verified token carries one of the staff `scopes`.
- `require_owner_or_staff(viewer, owner_id, ...)`: anonymous is UNAUTHENTICATED; someone who is
  neither the owner nor staff is FORBIDDEN.
- `acting_user_id(viewer, requested, ...)`: who a mutation acts for. The token's user unless the
  caller names someone else, which only staff may (the explicit "on behalf of" path); a forged
  id is FORBIDDEN, never silently obeyed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import Forbidden

ADMIN: Final = ("admin",)
"""The staff scopes of most checks: administrators only."""


def is_staff(viewer: Viewer, scopes: Sequence[str]) -> bool:
    """Whether the (signed-in) viewer's token carries one of `scopes`."""
    return viewer.is_authenticated and any(scope in viewer.scopes for scope in scopes)


def require_owner_or_staff(
    viewer: Viewer, owner_id: str, *, staff: Sequence[str] = ADMIN, what: str
) -> None:
    """UNAUTHENTICATED when anonymous; FORBIDDEN unless the viewer owns `what` or is staff."""
    if viewer.require_user_id() == owner_id or is_staff(viewer, staff):
        return
    raise Forbidden(f"Only its owner may see or change {what}.")


def acting_user_id(
    viewer: Viewer, requested: str | None, *, staff: Sequence[str] = ADMIN, field: str
) -> str:
    """The user a mutation acts for: the viewer's own id, or `requested` when staff name
    someone else. Anyone else naming another user is FORBIDDEN (the argument `field`)."""
    user_id = viewer.require_user_id()
    if requested is None or requested.strip().lower() == user_id.lower():
        return user_id
    if is_staff(viewer, staff):
        return requested
    raise Forbidden(f"Only staff may act for another user ({field}).", field=field)
