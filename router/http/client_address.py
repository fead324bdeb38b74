"""The address a request came from, as far as the peer can be believed: the one address the
router uses for a client, both for its rate limits and as the address it appends to the
``X-Forwarded-For`` it sends subgraphs (identity throttles sign-ins per address).

The peer address, or, when the peer is a trusted proxy (``EHB_ROUTER_TRUSTED_PROXIES``: a load
balancer in front of the router), the nearest untrusted address of ``X-Forwarded-For`` read
right to left: entries further left are the client's own claims and can be forged. The same
rule as the subgraphs' ``EHB_TRUSTED_PROXIES`` (the router may not import subgraph code).

uvicorn applies its own rule first (``--forwarded-allow-ips``, default ``127.0.0.1``): behind a
proxy on the same host the peer seen here is already the address that proxy forwarded."""

from __future__ import annotations

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


def client_address(peer: str, forwarded_for: str | None, trusted: Networks) -> str:
    if not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: believe only the peer
    return hops[0] if hops else peer


# Parsed once per setting: the router works out an address on every request.
_trusted_networks = cache(parse_networks)


def connection_client_address(connection: HTTPConnection, trusted_proxies: str) -> str:
    """``client_address`` of an HTTP request or WebSocket (its peer and ``X-Forwarded-For``);
    ``trusted_proxies``: the ``EHB_ROUTER_TRUSTED_PROXIES`` setting
    (``RouterConfig.rate_limits.trusted_proxies``, checked when the config is read)."""
    peer = connection.client.host if connection.client is not None else ""
    if not trusted_proxies:
        return peer
    trusted = _trusted_networks(trusted_proxies)
    return client_address(peer, connection.headers.get(FORWARDED_FOR_HEADER), trusted)
