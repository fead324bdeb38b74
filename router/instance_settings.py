"""How the router spreads each subgraph's requests over its instances: the URLs and the
active health checks (``router.transport.instances`` and ``router.transport.health_checks``).

Read from ``EHB_ROUTER_SUBGRAPH_URLS`` (``name=url1|url2,name2=url3``: ``|`` between the
instances of one subgraph, ``,`` between subgraphs), ``EHB_ROUTER_INSTANCE_CHECK_PATH``,
``EHB_ROUTER_INSTANCE_CHECK_INTERVAL``, ``EHB_ROUTER_INSTANCE_CHECK_TIMEOUT``,
``EHB_ROUTER_INSTANCE_UNHEALTHY_AFTER`` and ``EHB_ROUTER_INSTANCE_HEALTHY_AFTER`` (meanings and
defaults: the table in ``router.config``).

``ehb router --subgraph-url name=url1,url2`` (or the option repeated with one name) overrides
``EHB_ROUTER_SUBGRAPH_URLS`` for that subgraph, which overrides the supergraph's
``join__graph(url:)``. The check path is resolved against each instance's origin
(``http://host:port/health``). A subgraph with one URL is neither checked nor taken out: there
is nothing to fail over to, and subgraphs without a health path keep working.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from router.env_values import ENV_PREFIX as _PREFIX
from router.env_values import RouterEnv


@dataclass(frozen=True, slots=True)
class InstanceSettings:
    subgraph_urls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    check_path: str = "/health"
    check_interval_seconds: float = 2.0
    check_timeout_seconds: float = 1.0
    unhealthy_after: int = 2
    healthy_after: int = 2

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InstanceSettings:
        values = RouterEnv(os.environ if environ is None else environ)
        defaults = cls()
        path = values.text("INSTANCE_CHECK_PATH", defaults.check_path)
        if not path.startswith("/"):
            raise ValueError(f"{_PREFIX}INSTANCE_CHECK_PATH must start with '/', got {path!r}")
        return cls(
            subgraph_urls=parse_subgraph_urls(values.raw("SUBGRAPH_URLS")),
            check_path=path,
            check_interval_seconds=values.positive(
                "INSTANCE_CHECK_INTERVAL", float, defaults.check_interval_seconds
            ),
            check_timeout_seconds=values.positive(
                "INSTANCE_CHECK_TIMEOUT", float, defaults.check_timeout_seconds
            ),
            unhealthy_after=values.positive(
                "INSTANCE_UNHEALTHY_AFTER", int, defaults.unhealthy_after
            ),
            healthy_after=values.positive("INSTANCE_HEALTHY_AFTER", int, defaults.healthy_after),
        )


def parse_subgraph_urls(raw: str) -> dict[str, tuple[str, ...]]:
    """``name=url1|url2,name2=url3`` -> ``{"name": (url1, url2), "name2": (url3,)}``."""
    urls: dict[str, tuple[str, ...]] = {}
    for entry in raw.split(","):
        if not entry.strip():
            continue
        name, separator, listed = entry.partition("=")
        instances = tuple(url.strip() for url in listed.split("|") if url.strip())
        if not separator or not name.strip() or not instances:
            raise ValueError(
                f"{_PREFIX}SUBGRAPH_URLS must be name=url1|url2 entries separated by commas, "
                f"got {entry.strip()!r}"
            )
        urls[name.strip()] = check_instance_urls(name.strip(), instances)
    return urls


def check_instance_urls(subgraph: str, urls: tuple[str, ...]) -> tuple[str, ...]:
    """``urls`` unchanged when each is a distinct http(s) URL; else ``ValueError``."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"subgraph {subgraph!r}: {url!r} is not an http(s) URL")
    if len(set(urls)) != len(urls):
        raise ValueError(f"subgraph {subgraph!r} lists an instance URL twice: {', '.join(urls)}")
    return urls
