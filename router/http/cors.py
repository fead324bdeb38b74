"""Cross-origin access to ``/graphql`` from browsers (Starlette's ``CORSMiddleware``).

Off unless origins are configured: without CORS headers a browser lets only pages of the
router's own origin read its responses. ``allow_headers`` always includes what GraphQL clients
send (``content-type``, ``authorization`` and the CSRF preflight headers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from router.env_values import RouterEnv
from router.http.csrf import DEFAULT_REQUIRED_HEADERS

CLIENT_HEADERS = ("content-type", "authorization", *DEFAULT_REQUIRED_HEADERS)


@dataclass(frozen=True, slots=True)
class CorsConfig:
    """``origins``: exact origins (``https://app.example.com``) or ``("*",)`` for any;
    empty: no CORS headers at all. ``allow_credentials`` (cookies, HTTP authentication) cannot
    go with ``*``."""

    origins: tuple[str, ...] = ()
    allow_credentials: bool = False
    allow_headers: tuple[str, ...] = ()
    max_age_seconds: int = 600

    def __post_init__(self) -> None:
        if self.allow_credentials and "*" in self.origins:
            raise ValueError(
                "CORS credentials cannot be allowed for every origin ('*'): list the origins"
            )
        for origin in self.origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"a CORS origin is '*' or http(s)://host[:port], got {origin!r}")
        if self.max_age_seconds < 0:
            raise ValueError(f"the CORS max age must be >= 0, got {self.max_age_seconds}")

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> CorsConfig:
        values = RouterEnv(env, prefix)
        max_age = values.whole_number("CORS_MAX_AGE")
        try:
            return cls(
                origins=tuple(origin.rstrip("/") for origin in values.names("CORS_ORIGINS") or ()),
                allow_credentials=values.switch("CORS_ALLOW_CREDENTIALS", default=False),
                allow_headers=tuple(
                    name.lower() for name in values.names("CORS_ALLOW_HEADERS") or ()
                ),
                max_age_seconds=600 if max_age is None else max_age,
            )
        except ValueError as error:
            raise ValueError(f"{prefix}CORS_*: {error}") from None


def cors_middleware(config: CorsConfig, *, expose_headers: tuple[str, ...]) -> list[Middleware]:
    """The middleware list for ``Starlette(middleware=...)``: empty when CORS is off.
    ``expose_headers``: response headers a cross-origin page may read."""
    if not config.origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=config.origins,
            allow_methods=("GET", "POST"),
            allow_headers=tuple(dict.fromkeys((*CLIENT_HEADERS, *config.allow_headers))),
            allow_credentials=config.allow_credentials,
            expose_headers=expose_headers,
            max_age=config.max_age_seconds,
        )
    ]
