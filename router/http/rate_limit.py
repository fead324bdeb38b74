"""Rate limits per client address and per signed-in user (``limits``, sliding window counters).

Counters live in memory (one router process) or in Redis (shared by every router instance and
worker), selected by ``storage_url``. A request over a limit is refused with HTTP 429, a
``Retry-After`` header and a GraphQL error with ``extensions.code`` ``RATE_LIMITED``. When the
storage is unreachable the limits are not applied (logged) rather than refusing every request.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from router.auth import Principal
from router.env_values import RouterEnv
from router.errors import RequestError

logger = logging.getLogger(__name__)

RATE_LIMITED = "RATE_LIMITED"
MEMORY_STORAGE = "memory://"
DEFAULT_KEY_PREFIX = "ehb-router"
REDIS_TIMEOUT_SECONDS = 1.0
# Seconds between two "storage unreachable" warnings: one per request would flood the log.
STORAGE_WARNING_INTERVAL = 60.0

Scope = Literal["address", "user"]


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """``per_address`` and ``per_user``: limits like ``"100/second"`` or several separated by
    ``;`` (``"20/second; 600/minute"``); None switches that limit off. The address counted is
    the client's as ``RouterConfig.trusted_proxies`` lets the router work it out."""

    per_address: str | None = None
    per_user: str | None = None
    storage_url: str = MEMORY_STORAGE
    key_prefix: str = DEFAULT_KEY_PREFIX

    def __post_init__(self) -> None:
        for name, value in (("per_address", self.per_address), ("per_user", self.per_user)):
            if value is not None:
                _parse_limits(name, value)
        if not self.storage_url.removeprefix("async+").startswith(("memory://", "redis")):
            raise ValueError(
                f"rate limit storage must be memory:// or a redis:// URL, got {self.storage_url!r}"
            )

    @property
    def enabled(self) -> bool:
        return self.per_address is not None or self.per_user is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> RateLimitConfig:
        values = RouterEnv(env, prefix)
        try:
            return cls(
                per_address=values.optional("RATE_LIMIT_IP"),
                per_user=values.optional("RATE_LIMIT_USER"),
                storage_url=values.text("RATE_LIMIT_STORAGE", MEMORY_STORAGE),
                key_prefix=values.text("RATE_LIMIT_PREFIX", DEFAULT_KEY_PREFIX),
            )
        except ValueError as error:
            raise ValueError(f"{prefix}RATE_LIMIT_*: {error}") from None


class RateLimited(RequestError):
    def __init__(self, scope: Scope, retry_after_seconds: int) -> None:
        who = "this address" if scope == "address" else "this user"
        super().__init__(
            [
                {
                    "message": f"Too many requests from {who}: "
                    f"try again in {retry_after_seconds} s",
                    "extensions": {"code": RATE_LIMITED, "retryAfter": retry_after_seconds},
                }
            ],
            status_code=429,
        )
        self.retry_after_seconds = retry_after_seconds


class RateLimiter:
    """Create inside the event loop that uses it (the lifespan); ``close`` when done. Counts
    per address the ``router.http.client_address.connection_client_origin`` of a request."""

    def __init__(self, config: RateLimitConfig) -> None:
        self._address_limits = _parse_limits("per_address", config.per_address)
        self._user_limits = _parse_limits("per_user", config.per_user)
        self._key_prefix = config.key_prefix
        self._storage = _storage(config.storage_url)
        self._strategy = SlidingWindowCounterRateLimiter(self._storage)
        self._last_warning = -math.inf

    async def check_address(self, address: str) -> None:
        """Count one request from ``address``; raises ``RateLimited`` when over a limit."""
        if self._address_limits:
            await self._hit("address", address, self._address_limits)

    async def check_user(self, principal: Principal | None) -> None:
        """Count one request of a signed-in caller (anonymous ones only count by address)."""
        if self._user_limits and principal is not None:
            await self._hit("user", principal.subject, self._user_limits)

    async def close(self) -> None:
        timer = getattr(self._storage, "timer", None)  # the memory storage's expiry task
        if timer is not None:
            timer.cancel()
        client = getattr(getattr(self._storage, "bridge", None), "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()

    async def _hit(self, scope: Scope, key: str, items: Sequence[RateLimitItem]) -> None:
        for item in items:
            try:
                if await self._strategy.hit(item, self._key_prefix, scope, key):
                    continue
                stats = await self._strategy.get_window_stats(item, self._key_prefix, scope, key)
            except self._storage.base_exceptions as error:
                self._warn_unavailable(error)
                return
            raise RateLimited(scope, max(1, math.ceil(stats.reset_time - time.time())))

    def _warn_unavailable(self, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning >= STORAGE_WARNING_INTERVAL:
            self._last_warning = now
            logger.warning("rate limit storage unavailable, limits not applied: %s", error)


def _parse_limits(name: str, value: str | None) -> tuple[RateLimitItem, ...]:
    if value is None:
        return ()
    try:
        return tuple(parse_many(value))
    except ValueError:
        raise ValueError(
            f"{name} must be limits like '100/second' or '20/second; 600/minute', got {value!r}"
        ) from None


def _storage(url: str) -> Storage:
    async_url = url if url.startswith("async+") else f"async+{url}"
    if async_url.startswith("async+memory"):
        storage = storage_from_string(async_url)
    else:
        storage = storage_from_string(
            async_url,
            implementation="redispy",
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    if not isinstance(storage, Storage):  # a synchronous storage: the URL lacked async+
        raise ValueError(f"{url!r} does not name an asynchronous rate limit storage")
    return storage
