"""A tiny schema on identity's tables that exercises the kernel's error and transaction rules."""

from __future__ import annotations

import asyncio

import strawberry
from sqlalchemy import func, select
from starlette.applications import Starlette
from strawberry.types import Info

from subgraphs.identity.models import Base, User
from subgraphs.identity.services import register_user
from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.errors import Conflict, Forbidden
from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import Long, Money, subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.kernel.settings import Settings

SECRET = "secret-detail-from-the-database-layer"


async def _register(info: Info[SubgraphContext, None], email: str) -> str:
    user = await register_user(info.context.session, email=email, display_name="Probe")
    return user.id


@strawberry.type
class Query:
    @strawberry.field
    def explode(self) -> str:
        raise RuntimeError(SECRET)

    @strawberry.field
    def forbidden(self) -> str:
        raise Forbidden("Only admins may look.")

    @strawberry.field
    async def user_count(self, info: Info[SubgraphContext, None]) -> int:
        return await info.context.session.scalar(select(func.count()).select_from(User)) or 0

    @strawberry.field
    async def slow_user_count(self, info: Info[SubgraphContext, None]) -> int:
        """Holds the session across an await between two statements, like a service would."""
        session = info.context.session
        await session.scalar(select(func.count()).select_from(User))
        await asyncio.sleep(0.01)
        return await session.scalar(select(func.count()).select_from(User)) or 0

    @strawberry.field
    async def write_in_a_query(self, info: Info[SubgraphContext, None], email: str) -> str:
        return await _register(info, email)

    @strawberry.field
    def echo_long(self, value: Long) -> Long:
        return value

    @strawberry.field
    def price(self) -> Money:
        return Money.of(123_456_789_012, "EUR")

    @strawberry.field
    def request_id(self, info: Info[SubgraphContext, None]) -> str:
        return info.context.request_id


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info[SubgraphContext, None], email: str) -> str:
        return await _register(info, email)

    @strawberry.mutation
    async def register_then_conflict(self, info: Info[SubgraphContext, None], email: str) -> str:
        await _register(info, email)
        raise Conflict("Changed my mind after writing.")

    @strawberry.mutation
    async def register_then_crash(self, info: Info[SubgraphContext, None], email: str) -> str:
        await _register(info, email)
        raise RuntimeError(SECRET)


schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)


def create_probe_app(settings: Settings) -> Starlette:
    return create_subgraph_app("identity", schema, settings=settings, models_metadata=Base.metadata)
