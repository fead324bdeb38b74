"""identity's ASGI app: the GraphQL endpoint plus `GET /.well-known/jwks.json`.

The lifespan loads the signing keys (`keys.SigningKeys.from_settings`), verifies bearer tokens
against them directly (no HTTP round trip to itself) and opens the email sender.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.identity.authentication import BruteForcePolicy, TokenSettings
from subgraphs.identity.keys import SigningKeys
from subgraphs.identity.models import Base
from subgraphs.identity.password_reset import BackgroundTasks
from subgraphs.identity.schema import schema
from subgraphs.identity.state import IdentityState, identity_state
from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.auth import StaticKeySource, TokenVerifier
from subgraphs.kernel.email import EmailSender, email_sender_from_settings
from subgraphs.kernel.settings import Settings

JWKS_PATH = "/.well-known/jwks.json"


async def jwks(request: Request) -> Response:
    keys: SigningKeys = identity_state(request).tokens.keys
    keys.reload()
    return JSONResponse(keys.public_jwks(), headers={"Cache-Control": "public, max-age=60"})


def create_app(
    settings: Settings | None = None,
    *,
    brute_force: BruteForcePolicy | None = None,
    email_sender: EmailSender | None = None,
) -> Starlette:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        keys = SigningKeys.from_settings(settings)
        tokens = TokenSettings(
            keys=keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            brute_force=brute_force or BruteForcePolicy(),
        )
        background = BackgroundTasks()
        app.state.identity = IdentityState(
            tokens=tokens,
            email_sender=email_sender or email_sender_from_settings(settings),
            settings=settings,
            background=background,
        )
        app.state.token_verifier = TokenVerifier(
            StaticKeySource(keys.key_set),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
        )
        try:
            yield
        finally:
            await background.drain()  # emails being sent

    return create_subgraph_app(
        "identity",
        schema,
        settings=settings,
        models_metadata=Base.metadata,
        extra_routes=[Route(JWKS_PATH, jwks, methods=["GET"])],
        lifespan=lifespan,
    )
