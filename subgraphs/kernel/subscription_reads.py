"""Reads for fields of subscription events (any subgraph).

Over WebSocket one context (and its session) serves the whole connection: a read through it
would see the session's identity map (stale rows) and keep a transaction open for as long as
the subscriber stays. `fresh_reads(info)` gives such fields a short session of their own; over
HTTP it is the request's session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket
from strawberry.types import Info

from subgraphs.kernel.context import SubgraphContext
from subgraphs.kernel.db import Database


@asynccontextmanager
async def fresh_reads(info: Info[SubgraphContext, None]) -> AsyncIterator[AsyncSession]:
    if not isinstance(info.context.request, WebSocket):
        yield info.context.session
        return
    database: Database = info.context.request.app.state.database
    async with database.sessions() as session:
        yield session
