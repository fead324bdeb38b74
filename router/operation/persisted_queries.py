"""Persisted queries: Automatic Persisted Queries (Apollo's APQ protocol) and a safelist.

APQ: a client sends ``extensions.persistedQuery = {version: 1, sha256Hash}`` with or without
the document. Without it, the router answers from its cache or, for an unknown hash, with
``PERSISTED_QUERY_NOT_FOUND`` (HTTP 200), and the client retries with document and hash; the
router checks the hash (else ``PERSISTED_QUERY_HASH_MISMATCH``) and caches the document. The
cache is an in-memory LRU or Redis (shared by every router instance), selected by URL.

Safelist: only operations of a persisted query manifest (Apollo's persisted query list:
``{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name",
"type", "body"}]}``) run, named by id (``persistedQuery.sha256Hash``) or sent in full (compared
ignoring whitespace, commas and comments). Unknown ids: ``PERSISTED_QUERY_NOT_IN_LIST``;
unlisted documents: ``QUERY_NOT_IN_SAFELIST``; a document when ``require_id``:
``PERSISTED_QUERY_ID_REQUIRED``. The safelist replaces APQ: documents cannot be registered.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis
from graphql import GraphQLError, parse
from graphql.utilities import strip_ignored_characters
from redis.exceptions import RedisError

from router.env_values import RouterEnv
from router.errors import RequestError

logger = logging.getLogger(__name__)

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
PERSISTED_QUERY_ID_REQUIRED = "PERSISTED_QUERY_ID_REQUIRED"
QUERY_NOT_IN_SAFELIST = "QUERY_NOT_IN_SAFELIST"
BAD_REQUEST = "BAD_REQUEST"

MANIFEST_FORMAT = "apollo-persisted-query-manifest"
MEMORY_CACHE = "memory://"
REDIS_TIMEOUT_SECONDS = 1.0
WARNING_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class PersistedQueryConfig:
    """``apq``: accept Automatic Persisted Queries; ``cache_url``: ``memory://`` (an LRU of
    ``cache_size`` documents per process) or ``redis://...`` (entries live ``cache_ttl_seconds``,
    keys start with ``key_prefix``); ``safelist_path``: a persisted query manifest, and with it
    only its operations run; ``require_id``: safelisted operations must be sent by id."""

    apq: bool = True
    cache_url: str = MEMORY_CACHE
    cache_size: int = 1000
    cache_ttl_seconds: int = 86_400
    key_prefix: str = "ehb-router:apq:"
    safelist_path: str | None = None
    require_id: bool = False

    def __post_init__(self) -> None:
        if not self.cache_url.startswith((MEMORY_CACHE, "redis://", "rediss://", "unix://")):
            raise ValueError(
                f"the APQ cache must be memory:// or a redis:// URL, got {self.cache_url!r}"
            )
        if self.cache_size <= 0 or self.cache_ttl_seconds <= 0:
            raise ValueError("the APQ cache size and TTL must be positive")
        if self.require_id and self.safelist_path is None:
            raise ValueError("requiring persisted query ids needs a safelist manifest")

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> PersistedQueryConfig:
        values = RouterEnv(env, prefix)
        apq = values.switch("APQ", default=True)
        require_id = values.switch("SAFELIST_REQUIRE_ID", default=False)
        try:
            return cls(
                apq=apq,
                cache_url=values.text("APQ_CACHE", MEMORY_CACHE),
                safelist_path=values.optional("SAFELIST"),
                require_id=require_id,
            )
        except ValueError as error:
            raise ValueError(f"{prefix}APQ / {prefix}SAFELIST: {error}") from None


class QueryCache(Protocol):
    async def get(self, sha256_hash: str) -> str | None: ...

    async def set(self, sha256_hash: str, query: str) -> None: ...

    async def close(self) -> None: ...


class MemoryQueryCache:
    """The most recently used ``size`` documents of this process."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, str] = OrderedDict()

    async def get(self, sha256_hash: str) -> str | None:
        query = self._entries.get(sha256_hash)
        if query is not None:
            self._entries.move_to_end(sha256_hash)
        return query

    async def set(self, sha256_hash: str, query: str) -> None:
        self._entries[sha256_hash] = query
        self._entries.move_to_end(sha256_hash)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    async def close(self) -> None:
        self._entries.clear()


class RedisQueryCache:
    """Documents shared by every router instance. Redis being unreachable makes every hash
    unknown (clients then send the document) rather than failing requests."""

    def __init__(self, url: str, *, key_prefix: str, ttl_seconds: int) -> None:
        self._client = aioredis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._key_prefix = key_prefix
        self._ttl_seconds = ttl_seconds
        self._last_warning = -math.inf

    async def get(self, sha256_hash: str) -> str | None:
        try:
            value = await self._client.get(self._key_prefix + sha256_hash)
        except (RedisError, OSError) as error:
            self._warn(error)
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, sha256_hash: str, query: str) -> None:
        try:
            await self._client.set(self._key_prefix + sha256_hash, query, ex=self._ttl_seconds)
        except (RedisError, OSError) as error:
            self._warn(error)

    async def close(self) -> None:
        await self._client.aclose()

    def _warn(self, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARNING_INTERVAL_SECONDS:
            self._last_warning = now
            logger.warning("APQ cache unavailable, persisted queries not found: %s", error)


@dataclass(frozen=True, slots=True)
class Safelist:
    by_id: Mapping[str, str]
    # Bodies exactly as listed, and with ignored characters stripped (whitespace, commas...).
    bodies: frozenset[str]
    stripped_bodies: frozenset[str]

    def allows(self, query: str) -> bool:
        if query in self.bodies:
            return True
        try:
            return strip_ignored_characters(query) in self.stripped_bodies
        except GraphQLError:
            return False


def load_safelist(path: Path) -> Safelist:
    """Raises ``ValueError`` saying what is wrong with the manifest."""
    try:
        manifest = orjson.loads(path.read_bytes())
    except OSError as error:
        raise ValueError(f"cannot read the safelist manifest {path}: {error.strerror}") from None
    except orjson.JSONDecodeError as error:
        raise ValueError(f"the safelist manifest {path} is not JSON: {error.msg}") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != MANIFEST_FORMAT
        or manifest.get("version") != 1
        or not isinstance(manifest.get("operations"), list)
    ):
        raise ValueError(
            f"the safelist manifest {path} must be an object with format "
            f"{MANIFEST_FORMAT!r}, version 1 and a list of operations"
        )
    by_id: dict[str, str] = {}
    for index, operation in enumerate(manifest["operations"]):
        if not (
            isinstance(operation, dict)
            and isinstance(operation.get("id"), str)
            and isinstance(operation.get("body"), str)
            and operation["id"]
        ):
            raise ValueError(f"operation {index} of {path} needs a string id and body")
        known = by_id.setdefault(operation["id"], operation["body"])
        if known != operation["body"]:
            raise ValueError(f"{path} lists id {operation['id']!r} with two different bodies")
    stripped: set[str] = set()
    for operation_id, body in by_id.items():
        try:
            parse(body, no_location=True)
            stripped.add(strip_ignored_characters(body))
        except GraphQLError as error:
            raise ValueError(f"operation {operation_id!r} of {path}: {error.message}") from None
    return Safelist(by_id, frozenset(by_id.values()), frozenset(stripped))


class PersistedQueries:
    """Finds the document of a request: its ``query``, or the one its persisted query names."""

    def __init__(self, config: PersistedQueryConfig) -> None:
        self._safelist = (
            None if config.safelist_path is None else load_safelist(Path(config.safelist_path))
        )
        self._require_id = config.require_id
        self._cache: QueryCache | None = None
        if config.apq and self._safelist is None:
            self._cache = (
                MemoryQueryCache(config.cache_size)
                if config.cache_url.startswith(MEMORY_CACHE)
                else RedisQueryCache(
                    config.cache_url,
                    key_prefix=config.key_prefix,
                    ttl_seconds=config.cache_ttl_seconds,
                )
            )

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The document to run; raises ``RequestError`` with the codes of the module doc."""
        persisted = None if extensions is None else extensions.get("persistedQuery")
        if persisted is None:
            if query is None:
                raise _error(
                    BAD_REQUEST, "The request has no 'query': send the GraphQL document as 'query'"
                )
            if self._safelist is not None:
                self._check_listed(self._safelist, query)
            return query
        sha256_hash = _sha256_hash(persisted)
        if self._safelist is not None:
            return _listed(self._safelist, sha256_hash, query)
        if self._cache is None:
            raise _error(
                PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported", status_code=200
            )
        if query is None:
            cached = await self._cache.get(sha256_hash)
            if cached is None:
                raise _error(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound", status_code=200)
            return cached
        if hashlib.sha256(query.encode()).hexdigest() != sha256_hash:
            raise _error(
                PERSISTED_QUERY_HASH_MISMATCH,
                "The persisted query's sha256Hash is not the SHA-256 of its query",
            )
        await self._cache.set(sha256_hash, query)
        return query

    async def close(self) -> None:
        if self._cache is not None:
            await self._cache.close()

    def _check_listed(self, safelist: Safelist, query: str) -> None:
        if self._require_id:
            raise _error(
                PERSISTED_QUERY_ID_REQUIRED,
                "This router runs only persisted queries sent by id "
                "(extensions.persistedQuery.sha256Hash), not full documents",
            )
        if not safelist.allows(query):
            raise _error(
                QUERY_NOT_IN_SAFELIST,
                "This operation is not in the router's persisted query list (safelist)",
            )


def _listed(safelist: Safelist, operation_id: str, query: str | None) -> str:
    listed = safelist.by_id.get(operation_id)
    if listed is None:
        raise _error(
            PERSISTED_QUERY_NOT_IN_LIST,
            f"Persisted query {operation_id!r} is not in the router's persisted query list",
        )
    if query is not None and query != listed:
        raise _error(
            PERSISTED_QUERY_HASH_MISMATCH,
            f"The query sent differs from persisted query {operation_id!r}: send only the id",
        )
    return listed


def _sha256_hash(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise _error(BAD_REQUEST, "'extensions.persistedQuery' must be an object")
    if persisted.get("version") != 1:
        raise _error(
            BAD_REQUEST, "Unsupported persisted query version: send persistedQuery.version 1"
        )
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not sha256_hash:
        raise _error(BAD_REQUEST, "'extensions.persistedQuery.sha256Hash' must be a string")
    return sha256_hash


def _error(code: str, message: str, *, status_code: int = 400) -> RequestError:
    return RequestError([{"message": message, "extensions": {"code": code}}], status_code)
