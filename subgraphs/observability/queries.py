"""observability's root query fields (thin: probe or page, then map)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.pagination import Connection
from subgraphs.observability import services
from subgraphs.observability.runtime import probe_and_record
from subgraphs.observability.types import ServiceStatus


@strawberry.type
class Query:
    @strawberry.field(
        description="Every observed service probed now (concurrently); each probe is kept."
    )
    async def services(self, info: Info[SubgraphContext, None]) -> list[ServiceStatus]:
        results = await probe_and_record(info.context.request)
        return [ServiceStatus.from_result(result) for result in results]

    @strawberry.field(description="Past probes of one service, newest first.")
    async def service_history(
        self,
        info: Info[SubgraphContext, None],
        name: str,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ServiceStatus]:
        page = await services.list_checks(info.context.session, name=name, first=first, after=after)
        return Connection.from_page(page, ServiceStatus.from_model)
