"""identity's per-app resources as resolvers see them, and the client a request came from."""

from __future__ import annotations

from dataclasses import dataclass

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
    """The peer address and `User-Agent`. Behind the router the peer is the router; forwarding
    the end user's address needs a trusted-proxy setting (not there yet)."""
    host = request.client.host if request.client is not None else ""
    return Client(ip_address=host, user_agent=request.headers.get("user-agent", "")[:512])
