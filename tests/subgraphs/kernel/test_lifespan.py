"""`create_subgraph_app(..., lifespan=)`: the subgraph's own resources live inside the kernel's
lifespan, with the database open the whole time they do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from subgraphs.identity.models import Base
from subgraphs.kernel.app import create_subgraph_app
from subgraphs.kernel.db import Database
from subgraphs.kernel.testing import serve_app, sqlite_settings
from tests.subgraphs.kernel.kernel_probe import schema


async def test_subgraph_lifespan_runs_inside_the_kernels_with_the_database_open(tmp_path):
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with app.state.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        events.append("entered")
        app.state.extra = "ready"
        yield
        async with app.state.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        events.append("left")

    app = create_subgraph_app(
        "identity",
        schema,
        settings=sqlite_settings("identity", tmp_path),
        models_metadata=Base.metadata,
        lifespan=lifespan,
    )
    async with serve_app(app):
        assert events == ["entered"]
        assert app.state.extra == "ready"

    assert events == ["entered", "left"]


async def test_a_failing_subgraph_lifespan_still_disposes_the_database(tmp_path, monkeypatch):
    disposed: list[Database] = []
    dispose = Database.dispose

    async def recording_dispose(self: Database) -> None:
        disposed.append(self)
        await dispose(self)

    monkeypatch.setattr(Database, "dispose", recording_dispose)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("cannot start")
        yield

    app = create_subgraph_app(
        "identity",
        schema,
        settings=sqlite_settings("identity", tmp_path),
        models_metadata=Base.metadata,
        lifespan=lifespan,
    )
    with pytest.raises(RuntimeError, match="cannot start"):
        async with app.router.lifespan_context(app):
            pass
    assert disposed == [app.state.database]
