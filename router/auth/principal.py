"""Who a request speaks for: the verified claims of its access token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in caller. Anonymous requests have no principal (``None``)."""

    subject: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    claims: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """``sub``; ``roles`` (a list of names); ``scope`` (space-separated, OAuth 2.0 style)."""
        roles = claims.get("roles")
        scope = claims.get("scope")
        return cls(
            subject=str(claims["sub"]),
            roles=frozenset(r for r in roles if isinstance(r, str))
            if isinstance(roles, list)
            else frozenset(),
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            claims=dict(claims),
        )
