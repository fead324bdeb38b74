"""identity's root query fields (thin: decode arguments, call a loader or service, map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.identity import services
from subgraphs.identity.loaders import user_by_id
from subgraphs.identity.types import User
from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    async def me(self, info: Info[SubgraphContext, None]) -> User | None:
        if info.context.viewer.user_id is None:
            return None
        user = await info.context.loaders.get(user_by_id).load(info.context.viewer.user_id)
        return User.from_model(user) if user is not None else None

    @strawberry.field(description="A user by id, or null when there is none.")
    async def user(self, info: Info[SubgraphContext, None], id: strawberry.ID) -> User | None:
        found = await info.context.loaders.get(user_by_id).load(str(id))
        return User.from_model(found) if found is not None else None

    @strawberry.field(description="Every user, oldest first.")
    async def users(
        self,
        info: Info[SubgraphContext, None],
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[User]:
        page = await services.list_users(info.context.session, first=first, after=after)
        return Connection.from_page(page, User.from_model)
