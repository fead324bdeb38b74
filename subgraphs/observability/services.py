"""observability's business logic. Functions take the session, never commit, never import
Strawberry."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kernel.pagination import Page, paginate
from subgraphs.observability.models import ServiceCheck
from subgraphs.observability.probe import ProbeResult


async def record_checks(session: AsyncSession, *, results: Iterable[ProbeResult]) -> None:
    """Add one history row per probe result."""
    session.add_all(
        ServiceCheck(
            name=result.name,
            url=result.url,
            health=result.health,
            version=result.version,
            latency_ms=result.latency_ms,
            error=result.error,
            checked_at=result.checked_at,
        )
        for result in results
    )
    await session.flush()


async def list_checks(
    session: AsyncSession, *, name: str, first: int | None, after: str | None
) -> Page[ServiceCheck]:
    """Past checks of service `name`, newest first."""
    return await paginate(
        session,
        select(ServiceCheck).where(ServiceCheck.name == name),
        first=first,
        after=after,
        order_by=(ServiceCheck.checked_at, ServiceCheck.id),
        descending=True,
    )
