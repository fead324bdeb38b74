"""identity's per-app resources as resolvers see them, and the client a request came from."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

from subgraphs.identity.audit import Client
from subgraphs.identity.authentication import TokenSettings
from subgraphs.identity.password_reset import BackgroundTasks
from subgraphs.kernel.email import EmailSender
from subgraphs.kernel.settings import Settings


@dataclass(slots=True)
class IdentityState:
    """Opened by identity's lifespan as `app.state.identity`."""

    tokens: TokenSettings
    email_sender: EmailSender
    settings: Settings
    background: BackgroundTasks


def identity_state(request: HTTPConnection) -> IdentityState:
    state: IdentityState = request.app.state.identity
    return state


def client_of(request: HTTPConnection) -> Client:
    """Where a request came from: the peer address, or, when the peer is a trusted proxy
    (`EHB_TRUSTED_PROXIES`, the router), the nearest untrusted address of `X-Forwarded-For`
    read right to left (entries further left are the client's own claims and can be forged).
    Plus the `User-Agent`."""
    peer = request.client.host if request.client is not None else ""
    settings: Settings = request.app.state.settings
    forwarded = request.headers.get("x-forwarded-for")
    address = client_address(peer, forwarded, settings.trusted_proxies)
    return Client(
        ip_address=address,
        user_agent=request.headers.get("user-agent", "")[:512],
        address_is_client=bool(forwarded)
        or not _is_trusted(peer, _networks(settings.trusted_proxies)),
    )


@lru_cache(maxsize=8)
def _networks(trusted: str) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(
        ip_network(item.strip(), strict=False) for item in trusted.split(",") if item.strip()
    )


def _is_trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: str) -> str:
    networks = _networks(trusted)
    if not forwarded_for or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: believe only the peer
    return hops[0] if hops else peer
