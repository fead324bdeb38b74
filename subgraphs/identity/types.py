"""identity's GraphQL types. `User` is owned here and resolved by reference through a loader."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from subgraphs.identity import models
from subgraphs.identity.loaders import user_by_id
from subgraphs.kernel.context import SubgraphContext

# The domain enums are the GraphQL enums; registering them keeps one definition.
strawberry.enum(models.Role, name="Role", description="What a user may do.")
strawberry.enum(models.UserStatus, name="UserStatus")


@strawberry.federation.type(keys=["id"], description="A person with an EHB-5 account.")
class User:
    id: strawberry.ID
    email: str
    display_name: str
    roles: list[models.Role]
    status: models.UserStatus
    created_at: datetime

    @classmethod
    def from_model(cls, user: models.User) -> User:
        return cls(
            id=strawberry.ID(user.id),
            email=user.email,
            display_name=user.display_name,
            roles=sorted(user.role_set, key=lambda role: list(models.Role).index(role)),
            status=user.status,
            created_at=user.created_at,
        )

    @classmethod
    async def resolve_reference(
        cls, info: Info[SubgraphContext, None], id: strawberry.ID
    ) -> User | None:
        user = await info.context.loaders.get(user_by_id).load(str(id))
        return cls.from_model(user) if user is not None else None
