"""CSRF prevention as Apollo Router does it: refuse requests a browser sends cross-site without
a CORS preflight.

A browser sends a "simple" request (no preflight) when its method is GET, HEAD or POST, its
``Content-Type`` (if any) is ``text/plain``, ``application/x-www-form-urlencoded`` or
``multipart/form-data`` and it has no custom headers. The router serves POST only as
``application/json`` (anything else is refused with 415 before this check), so what remains is
GET: it must carry a non-empty header from ``required_headers`` (which a cross-site page cannot
add without a preflight the CORS policy refuses) or a non-simple ``Content-Type``. Otherwise
HTTP 400 with ``extensions.code`` ``CSRF_PREVENTED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers

from router.env_values import RouterEnv
from router.errors import RequestError

CSRF_PREVENTED = "CSRF_PREVENTED"
DEFAULT_REQUIRED_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")
SIMPLE_CONTENT_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)


@dataclass(frozen=True, slots=True)
class CsrfConfig:
    """``enabled``: refuse unpreflighted GETs; ``required_headers``: any one of them (non-empty)
    marks a request as preflighted (lower-case names)."""

    enabled: bool = True
    required_headers: tuple[str, ...] = DEFAULT_REQUIRED_HEADERS

    def __post_init__(self) -> None:
        if self.enabled and not self.required_headers:
            raise ValueError("CSRF prevention needs at least one required header name")

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> CsrfConfig:
        values = RouterEnv(env, prefix)
        names = values.names("CSRF_REQUIRED_HEADERS")
        headers = tuple(name.lower() for name in names) if names else DEFAULT_REQUIRED_HEADERS
        return cls(enabled=values.switch("CSRF", default=True), required_headers=headers)


def check_preflighted(method: str, headers: Headers, config: CsrfConfig) -> None:
    """Raises ``RequestError`` (400, ``CSRF_PREVENTED``) for a GET a browser could send
    cross-site without a preflight."""
    if not config.enabled or method != "GET":
        return
    for name in config.required_headers:
        if headers.get(name, "").strip():
            return
    content_type = headers.get("content-type")
    if content_type is not None:
        media_type = content_type.partition(";")[0].strip().lower()
        if media_type not in SIMPLE_CONTENT_TYPES:
            return
    raise RequestError(
        [
            {
                "message": "This GET request could have been sent by a browser on another site "
                "(cross-site request forgery protection): send it with one of the headers "
                f"{', '.join(config.required_headers)} (any non-empty value), "
                "or use POST with Content-Type: application/json",
                "extensions": {"code": CSRF_PREVENTED},
            }
        ],
        status_code=400,
    )
