"""The address a request came from, as far as the peer can be believed: the one address the
router uses for a client, both for its rate limits and as the address it appends to the
``X-Forwarded-For`` it sends subgraphs (identity throttles sign-ins per address).

The peer address, or, when the peer is a trusted proxy (``EHB_ROUTER_TRUSTED_PROXIES``: a load
balancer in front of the router), the nearest untrusted address of ``X-Forwarded-For`` read
right to left: entries further left are the client's own claims and can be forged. The same
rule as the subgraphs' ``EHB_TRUSTED_PROXIES`` (the router may not import subgraph code).

This is the only rule: ``ehb router`` and ``ehb dev`` turn uvicorn's own (``proxy_headers``,
which believes any loopback peer) off. Under a uvicorn that applies it, the peer seen here may
already be the last hop a loopback proxy forwarded; ``client_origin`` allows for that.

Subgraphs trust the router alone, so the ``X-Forwarded-For`` they get ends with the client
address, once: the client's own claims, then that address (not the trusted proxies' hops)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

FORWARDED_FOR_HEADER = "x-forwarded-for"

Networks = tuple[IPv4Network | IPv6Network, ...]


def parse_networks(raw: str) -> Networks:
    """Comma-separated addresses or CIDR networks; raises ``ValueError`` naming a bad one."""
    networks: list[IPv4Network | IPv6Network] = []
    for item in raw.split(","):
        if not item.strip():
            continue
        try:
            networks.append(ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{item.strip()!r} is not an IP address or CIDR network") from None
    return tuple(networks)


def _is_trusted(address: str, networks: Networks) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


@dataclass(frozen=True, slots=True)
class ClientOrigin:
    """``address``: the client's address. ``claims``: the ``X-Forwarded-For`` hops left of the
    one the address was read from (the client's own claims, passed on as they came), without
    the hops of trusted proxies, which the router stands in for towards subgraphs."""

    address: str
    claims: tuple[str, ...] = ()

    def headers_for_subgraphs(self, headers: Mapping[str, str]) -> Mapping[str, str]:
        """``headers`` with ``X-Forwarded-For`` cut to ``claims``: subgraph requests append
        ``address`` to it (``router.transport.http_fetcher``), so it is listed once, last."""
        forwarded_for = ", ".join(self.claims)
        if headers.get(FORWARDED_FOR_HEADER, "") == forwarded_for:
            return headers
        passed_on: dict[str, str] = {}
        for name, value in headers.items():
            passed_on.setdefault(name.lower(), value)  # the first of a repeated header, as .get
        if forwarded_for:
            passed_on[FORWARDED_FOR_HEADER] = forwarded_for
        else:
            passed_on.pop(FORWARDED_FOR_HEADER, None)
        return passed_on


def client_origin(peer: str, forwarded_for: str | None, trusted: Networks) -> ClientOrigin:
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    if not trusted or not hops or not _is_trusted(peer, trusted):
        # uvicorn may have taken the peer from the last hop already (--forwarded-allow-ips).
        claims = hops[:-1] if hops and hops[-1] == peer else hops
        return ClientOrigin(peer, tuple(claims))
    nearest = len(hops)
    while nearest > 0 and _is_trusted(hops[nearest - 1], trusted):
        nearest -= 1
    if nearest == 0:
        return ClientOrigin(hops[0])
    try:
        address = str(ip_address(hops[nearest - 1]))
    except ValueError:
        return ClientOrigin(peer, tuple(hops))  # garbage where an address should be: only the peer
    return ClientOrigin(address, tuple(hops[: nearest - 1]))


# Parsed once per setting: the router works out an address on every request.
_trusted_networks = cache(parse_networks)


def connection_client_origin(connection: HTTPConnection, trusted_proxies: str) -> ClientOrigin:
    """``client_origin`` of an HTTP request or WebSocket (its peer and ``X-Forwarded-For``);
    ``trusted_proxies``: the ``EHB_ROUTER_TRUSTED_PROXIES`` setting
    (``RouterConfig.trusted_proxies``, checked when the config is read)."""
    peer = connection.client.host if connection.client is not None else ""
    forwarded_for = connection.headers.get(FORWARDED_FOR_HEADER)
    if forwarded_for is None:
        return ClientOrigin(peer)
    trusted = _trusted_networks(trusted_proxies) if trusted_proxies else ()
    return client_origin(peer, forwarded_for, trusted)
