"""identity's per-app resources as resolvers see them, and the client a request came from."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from subgraphs.identity.audit import Client
from subgraphs.identity.authentication import TokenSettings
from subgraphs.identity.password_reset import BackgroundTasks
from subgraphs.kernel.client_address import client_address, is_trusted, trusted_networks
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
        or not is_trusted(peer, trusted_networks(settings.trusted_proxies)),
    )


__all__ = ["IdentityState", "client_address", "client_of", "identity_state"]
