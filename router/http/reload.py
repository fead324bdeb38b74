"""Reload the supergraph while serving: on SIGHUP and when its file changes.

The file is polled every ``EHB_ROUTER_SUPERGRAPH_POLL`` seconds (its size, modification time
and inode; a change is confirmed by the content's hash, so a ``touch`` reloads nothing). A new
supergraph is loaded and checked like the first one; an unusable one is logged with its reason
and the router keeps serving the old one. A usable one gets a new ``QueryEngine`` (query
planner, API schema, plan cache) and becomes the ``RouterState`` of requests from then on
(``LiveState.current``): a request, event stream or WebSocket connection already running keeps
the engine it started with until it ends, so nothing in flight is dropped. Subgraph URLs the
new supergraph changes are handed to the fetcher and the upstream subscriptions
(``set_endpoints``); open upstreams stay where they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from graphql import GraphQLError

from router.config import RouterConfig
from router.errors import SupergraphError
from router.http.state import LiveState, RouterState
from router.supergraph import Supergraph, load_supergraph

logger = logging.getLogger(__name__)

Endpoints = Mapping[str, str | Sequence[str]]
SIGHUP_REASON = "SIGHUP"


def load_checked_supergraph(sdl: str, *, config: RouterConfig) -> Supergraph:
    """The supergraph, checked against the settings that name its subgraphs (a warning for
    ``@policy`` names without a rule).

    Raises ``SupergraphError``/``GraphQLError`` for an unusable supergraph and ``ValueError``
    for settings it contradicts."""
    supergraph = load_supergraph(sdl)
    unknown = sorted(set(config.subgraph_timeouts) - set(supergraph.subgraphs))
    if unknown:
        raise ValueError(
            f"EHB_ROUTER_SUBGRAPH_TIMEOUTS names {', '.join(unknown)}, not subgraphs of the "
            f"supergraph ({', '.join(sorted(supergraph.subgraphs))})"
        )
    unknown_policies = sorted(
        name for name in supergraph.authorization.policy_names if name not in config.policies
    )
    if unknown_policies:
        logger.warning(
            "@policy names without a rule in EHB_ROUTER_POLICIES (never satisfied): %s",
            ", ".join(unknown_policies),
        )
    return supergraph


def content_hash(sdl: str) -> str:
    return hashlib.sha256(sdl.encode()).hexdigest()


@dataclasses.dataclass(slots=True)
class SupergraphReloader:
    """Swaps ``live.current`` for a state built from the file's new supergraph."""

    live: LiveState
    path: Path
    loaded_hash: str
    # The new supergraph's engine, and the endpoints to route its subgraphs to.
    build_engine: Callable[[Supergraph], Any]
    endpoints_for: Callable[[Supergraph], Endpoints]
    # Told the new endpoints when they change (the fetcher, the upstream subscriptions).
    endpoint_users: Sequence[Any]
    _lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    _seen: tuple[int, int, int] | None = None

    async def reload(self, reason: str) -> bool:
        """Load the file again; True when a new supergraph now serves."""
        async with self._lock:
            try:
                sdl = await asyncio.to_thread(self.path.read_text, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                logger.error(
                    "supergraph not reloaded (%s): cannot read %s: %s", reason, self.path, error
                )
                return False
            digest = content_hash(sdl)
            if digest == self.loaded_hash:
                level = logging.INFO if reason == SIGHUP_REASON else logging.DEBUG
                logger.log(
                    level, "supergraph not reloaded (%s): %s has not changed", reason, self.path
                )
                return False
            current = self.live.current
            try:
                supergraph = await asyncio.to_thread(
                    load_checked_supergraph, sdl, config=current.config
                )
                endpoints = self.endpoints_for(supergraph)
                engine = self.build_engine(supergraph)
            except (SupergraphError, GraphQLError, ValueError) as error:
                logger.error(
                    "supergraph not reloaded (%s), still serving the previous one: %s: %s",
                    reason,
                    self.path,
                    error,
                )
                self.loaded_hash = digest  # logged once; the next change is tried again
                return False
            for user in self.endpoint_users:
                user.set_endpoints(endpoints)
            self.live.current = _new_state(current, engine, tuple(supergraph.subgraphs))
            self.loaded_hash = digest
            logger.info("supergraph reloaded from %s (%s)", self.path, reason)
            return True

    async def poll(self, interval_seconds: float) -> None:
        """Reload whenever the file changes, until cancelled."""
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                stat = os.stat(self.path)
            except OSError:
                continue  # being replaced, or gone: keep serving, look again later
            seen = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            if seen != self._seen:
                self._seen = seen
                await self.reload("file changed")


def _new_state(current: RouterState, engine: Any, subgraph_names: tuple[str, ...]) -> RouterState:
    subscriptions = current.subscriptions
    if subscriptions is not None:
        subscriptions = dataclasses.replace(subscriptions, engine=engine)
    return dataclasses.replace(
        current, engine=engine, subgraph_names=subgraph_names, subscriptions=subscriptions
    )


@contextlib.asynccontextmanager
async def reloading(
    reloader: SupergraphReloader | None, poll_seconds: float
) -> AsyncIterator[None]:
    """Reload on SIGHUP and on file changes while entered (None: the app has no file)."""
    if reloader is None:
        yield
        return
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[bool]] = set()

    def on_sighup() -> None:
        task = loop.create_task(reloader.reload(SIGHUP_REASON))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
        handles_sighup = True
    except (ValueError, RuntimeError):  # not the main thread: only the file is watched
        handles_sighup = False
    poller = loop.create_task(reloader.poll(poll_seconds), name="supergraph-poll")
    try:
        yield
    finally:
        poller.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(poller, *tasks, return_exceptions=True)
        if handles_sighup:
            loop.remove_signal_handler(signal.SIGHUP)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
