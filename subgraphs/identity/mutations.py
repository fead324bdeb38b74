"""identity's root mutation fields (the kernel commits once all of them succeed)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.identity import services
from subgraphs.identity.inputs import RegisterUserInput
from subgraphs.identity.types import User
from subgraphs.kernel.context import SubgraphContext


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account. Duplicate email: CONFLICT.")
    async def register_user(
        self, info: Info[SubgraphContext, None], input: RegisterUserInput
    ) -> User:
        user = await services.register_user(
            info.context.session, email=input.email, display_name=input.display_name
        )
        return User.from_model(user)
