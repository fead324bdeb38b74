"""observability's demo data: none. Its history is made of real probes (`services` query)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


async def seed_demo(session: AsyncSession) -> None:
    """Nothing to seed: invented health history would be fake data."""
