"""Which instance of a subgraph gets the next request: round-robin over the healthy ones.

Every subgraph has an ``InstancePool`` of one or more URLs. ``choose`` is O(1) and allocates
nothing (the healthy instances are kept as a tuple, rebuilt only when one changes state). An
instance is taken out at once when a connection to it fails (``take_out``, passive) or after
``unhealthy_after`` failed active checks in a row, and put back after ``healthy_after`` passed
checks (``router.transport.health_checks``). A pool of one instance never takes it out: there
is nothing to fail over to, so every request keeps trying it and reports its own error.

``SubgraphInstances.set_endpoints`` replaces the URLs at runtime (supergraph reload): an
instance whose URL stays keeps its state, and requests in flight keep the instance they hold.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

from router.errors import SupergraphError
from router.instance_settings import check_instance_urls

InstanceStatus = Literal["pass", "fail", "unchecked"]


class Instance:
    """One URL serving a subgraph, and what the router knows of its health."""

    __slots__ = ("check_url", "failed_checks", "healthy", "passed_checks", "pool", "reason", "url")

    def __init__(self, url: str, check_path: str) -> None:
        self.url = url
        parts = urlsplit(url)
        self.check_url = f"{parts.scheme}://{parts.netloc}{check_path}"
        self.healthy = True  # new instances are trusted until a request or check fails
        self.passed_checks = 0
        self.failed_checks = 0
        self.reason: str | None = None  # why it is out (or last failed a check)
        self.pool: InstancePool | None = None  # set by the pool that serves it

    def take_out(self, reason: str) -> bool:
        """A request could not connect: no more requests until checks pass. True when this
        took it out (it was in, and its subgraph has other instances)."""
        return self.pool.take_out(self, reason) if self.pool is not None else False


class Thresholds(Protocol):
    @property
    def unhealthy_after(self) -> int: ...

    @property
    def healthy_after(self) -> int: ...


@dataclass(frozen=True, slots=True)
class InstanceReport:
    url: str
    status: InstanceStatus
    reason: str | None


class InstancePool:
    """The instances of one subgraph."""

    __slots__ = ("_healthy", "_next", "instances", "subgraph")

    def __init__(self, subgraph: str, instances: Sequence[Instance]) -> None:
        if not instances:
            raise ValueError(f"subgraph {subgraph!r} has no instance URL")
        self.subgraph = subgraph
        self.instances = tuple(instances)
        self._next = 0
        self._healthy: tuple[Instance, ...] = ()
        for instance in self.instances:
            instance.pool = self
            if not self.balanced:
                instance.healthy, instance.reason = True, None
        self._refresh()

    @property
    def balanced(self) -> bool:
        """Several instances: they are checked, and a failing one is taken out."""
        return len(self.instances) > 1

    def choose(self) -> Instance | None:
        """The next healthy instance, or None when every one is out."""
        healthy = self._healthy
        count = len(healthy)
        if count == 1:
            return healthy[0]
        if count == 0:
            return None
        index = self._next % count
        self._next = index + 1
        return healthy[index]

    def choose_untried(self, tried: Collection[Instance]) -> Instance | None:
        """A healthy instance not in ``tried`` (for a retry), or None."""
        healthy = self._healthy
        for offset in range(len(healthy)):
            instance = healthy[(self._next + offset) % len(healthy)]
            if instance not in tried:
                self._next += offset + 1
                return instance
        return None

    def take_out(self, instance: Instance, reason: str) -> bool:
        instance.reason = reason
        instance.passed_checks = 0
        if not self.balanced or not instance.healthy:
            return False
        instance.healthy = False
        self._refresh()
        return True

    def record_check(self, instance: Instance, reason: str | None, settings: Thresholds) -> None:
        """One active check's outcome: ``reason`` None when it passed."""
        if reason is None:
            instance.failed_checks = 0
            instance.passed_checks += 1
            if not instance.healthy and instance.passed_checks >= settings.healthy_after:
                instance.healthy = True
                instance.reason = None
                self._refresh()
            return
        instance.passed_checks = 0
        instance.failed_checks += 1
        instance.reason = reason
        if instance.healthy and instance.failed_checks >= settings.unhealthy_after:
            instance.healthy = False
            self._refresh()

    def report(self) -> list[InstanceReport]:
        if not self.balanced:
            return [InstanceReport(self.instances[0].url, "unchecked", None)]
        return [
            InstanceReport(i.url, "pass" if i.healthy else "fail", None if i.healthy else i.reason)
            for i in self.instances
        ]

    def _refresh(self) -> None:
        if not self.balanced:
            self._healthy = self.instances
            return
        self._healthy = tuple(i for i in self.instances if i.healthy)


class SubgraphInstances:
    """Every subgraph's ``InstancePool``, shared by the fetcher, subscriptions and checks."""

    def __init__(
        self, endpoints: Mapping[str, str | Sequence[str]], *, check_path: str = "/health"
    ) -> None:
        self.check_path = check_path
        # Replaced whole by ``set_endpoints``, never changed in place: read it, do not keep it.
        self.pools: Mapping[str, InstancePool] = {}
        self.set_endpoints(endpoints)

    def pool(self, subgraph: str) -> InstancePool | None:
        return self.pools.get(subgraph)

    def set_endpoints(self, endpoints: Mapping[str, str | Sequence[str]]) -> None:
        """Serve each subgraph from these URLs from now on (one URL or several)."""
        pools: dict[str, InstancePool] = {}
        for name, listed in endpoints.items():
            urls = _distinct((listed,) if isinstance(listed, str) else listed)
            if not urls:
                continue  # requests fail with "no URL" (``pool`` answers None)
            previous = self.pools.get(name)
            kept = {i.url: i for i in previous.instances} if previous is not None else {}
            pools[name] = InstancePool(
                name, [kept.get(url) or Instance(url, self.check_path) for url in urls]
            )
        self.pools = pools  # one assignment: a request sees either the old map or the new


def every_instance_out(pool: InstancePool) -> str:
    """The reason a request to a subgraph whose every instance is out fails at once."""
    reasons = "; ".join(f"{i.url}: {i.reason or 'failing its checks'}" for i in pool.instances)
    return f"every instance is out ({reasons})"


def _distinct(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(url for url in urls if url))


def instance_urls(
    supergraph_urls: Mapping[str, str], overrides: Mapping[str, str | Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    """Each subgraph's instance URLs: its entry of ``overrides`` (``--subgraph-url``,
    ``EHB_ROUTER_SUBGRAPH_URLS``: one URL or several) else the supergraph's ``join__graph``
    URL. ``SupergraphError`` for an override naming no subgraph of the supergraph,
    ``ValueError`` for one listing something that is not an http(s) URL."""
    unknown = sorted(set(overrides) - set(supergraph_urls))
    if unknown:
        raise SupergraphError(
            f"URL given for unknown subgraph(s): {', '.join(unknown)} (the supergraph has "
            f"{', '.join(sorted(supergraph_urls))})"
        )
    urls: dict[str, tuple[str, ...]] = {}
    for name, url in supergraph_urls.items():
        listed = overrides.get(name)
        if listed is None:
            urls[name] = (url,) if url else ()
        else:
            urls[name] = check_instance_urls(
                name, (listed,) if isinstance(listed, str) else tuple(listed)
            )
    return urls
