"""The client a request came from, as far as the peer can be believed.

The peer address, or, when the peer is a trusted proxy (`EHB_TRUSTED_PROXIES`, the router), the
nearest untrusted address of `X-Forwarded-For` read right to left (entries further left are the
client's own claims and can be forged). Used by identity (sign-in throttling, sessions, audit)
and money (fraud velocity per address)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

FORWARDED_FOR_HEADER = "x-forwarded-for"


@lru_cache(maxsize=8)
def trusted_networks(trusted: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """`trusted` (comma-separated addresses or CIDR networks) parsed once."""
    return tuple(
        ip_network(item.strip(), strict=False) for item in trusted.split(",") if item.strip()
    )


def is_trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: str) -> str:
    networks = trusted_networks(trusted)
    if not forwarded_for or not is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: believe only the peer
    return hops[0] if hops else peer


def request_client_address(request: HTTPConnection, trusted: str) -> str:
    """`client_address` of `request` (its peer and `X-Forwarded-For`)."""
    peer = request.client.host if request.client is not None else ""
    return client_address(peer, request.headers.get(FORWARDED_FOR_HEADER), trusted)
