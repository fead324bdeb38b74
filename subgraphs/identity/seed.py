"""identity's demo data: the shared demo users (idempotent).

They have no password (no secret is committed or generated here): to sign in as one in
development, `requestPasswordReset` with its email and open the link written to the development
mailbox `<EHB_DATA_DIR>/mail/`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import Role
from subgraphs.identity.services import get_user, register_user
from subgraphs.kernel.demo import DEMO_USERS


async def seed_demo(session: AsyncSession) -> None:
    for demo in DEMO_USERS:
        if await get_user(session, user_id=demo.id) is None:
            await register_user(
                session,
                user_id=demo.id,
                email=demo.email,
                display_name=demo.display_name,
                roles=[Role(role) for role in demo.roles],
            )
