"""The identity subgraph's JSON Web Key Set, fetched over HTTP and cached.

Keys are looked up by ``kid``. The set is refetched when it is older than ``max_age_seconds``
(so a key the issuer retired stops verifying once the set is refreshed) and when a token names
a ``kid`` the cached set lacks (a key rotated in), at most once per ``min_refetch_seconds`` so
that tokens with made-up key ids cannot make the router hammer the issuer. Concurrent
requests share one fetch. A failed refresh keeps the keys already known.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

logger = logging.getLogger(__name__)


class JwksUnavailable(Exception):
    """The key set could not be fetched and no usable copy is cached."""


class JwksCache:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        max_age_seconds: float = 300.0,
        min_refetch_seconds: float = 10.0,
        timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self.url = url
        self._max_age = max_age_seconds
        self._min_refetch = min_refetch_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._keys: dict[str, OKPKey] | None = None
        self._fetched_at = float("-inf")  # last successful fetch
        self._attempted_at = float("-inf")  # last attempt, successful or not
        self._inflight: asyncio.Task[None] | None = None
        self.fetches = 0  # attempts so far (observability and tests)

    async def key(self, kid: str) -> OKPKey | None:
        """The verification key named ``kid``, or None when the issuer does not publish it.

        Raises ``JwksUnavailable`` when the set cannot be fetched and nothing is cached.
        """
        now = self._clock()
        # Right after a failed fetch, fail fast; a fetch still under way is joined instead.
        recently_failed = now - self._attempted_at < min(self._min_refetch, 1.0)
        if self._keys is None and self._inflight is None and recently_failed:
            raise JwksUnavailable(f"the JWKS at {self.url} could not be fetched just now")
        if self._keys is None or now - self._fetched_at >= self._max_age:
            await self._refresh(required=self._keys is None)
        assert self._keys is not None
        found = self._keys.get(kid)
        if found is None and self._clock() - self._attempted_at >= self._min_refetch:
            await self._refresh(required=False)
            found = self._keys.get(kid)
        return found

    async def refresh(self) -> None:
        """Fetch the set now (raises ``JwksUnavailable`` when that fails)."""
        await self._refresh(required=True, force=True)

    async def _refresh(self, *, required: bool, force: bool = False) -> None:
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._fetch())
        task = self._inflight
        try:
            await asyncio.shield(task)
        except JwksUnavailable:
            if required or force or self._keys is None:
                raise
            logger.warning("keeping the cached JWKS: refreshing %s failed", self.url)
        finally:
            if self._inflight is task and task.done():
                self._inflight = None

    async def _fetch(self) -> None:
        self.fetches += 1
        self._attempted_at = self._clock()
        try:
            async with self._session.get(self.url, timeout=self._timeout) as response:
                if response.status != 200:
                    raise JwksUnavailable(f"{self.url} answered HTTP {response.status}")
                body = await response.read()
            keys = _parse_key_set(orjson.loads(body))
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError, ValueError) as error:
            raise JwksUnavailable(f"cannot fetch the JWKS from {self.url}: {error}") from error
        self._keys = keys
        self._fetched_at = self._clock()


def _parse_key_set(document: Any) -> dict[str, OKPKey]:
    """The Ed25519 signing keys of a JWKS, by ``kid``; other keys are ignored."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document (no 'keys' list)")
    keys: dict[str, OKPKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", "EdDSA") != "EdDSA":
            continue
        if "d" in entry:
            continue  # never verify with (or keep) a published private key
        try:
            keys[entry["kid"]] = OKPKey.import_key(entry)
        except (JoseError, ValueError, TypeError):
            logger.warning("ignoring an unusable JWKS key %r", entry.get("kid"))
    return keys
