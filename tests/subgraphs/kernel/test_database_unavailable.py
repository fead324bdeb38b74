"""A database that cannot serve a request right now is DATABASE_UNAVAILABLE, never an opaque
internal error: here every pooled connection is busy past `db_pool_timeout_seconds`."""

from __future__ import annotations

import httpx
import pytest

from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import serve_app
from tests.conftest import CreatePostgresDatabase
from tests.subgraphs.kernel.kernel_probe import create_probe_app

pytestmark = pytest.mark.postgres


async def test_a_pool_without_a_free_connection_answers_database_unavailable(
    create_postgres_database: CreatePostgresDatabase, tmp_path
):
    url = await create_postgres_database()
    await migrate_to_head_async("identity", url)
    settings = Settings(
        data_dir=tmp_path,
        database_urls={"identity": url},
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout_seconds=0.3,
    )
    app = create_probe_app(settings)
    async with serve_app(app) as base, httpx.AsyncClient(timeout=10) as client:

        async def post(query: str) -> dict:
            response = await client.post(f"{base}/graphql", json={"query": query})
            return response.json()

        async with app.state.database.engine.connect() as held:  # the pool's only connection
            await held.exec_driver_sql("SELECT 1")
            query = await post("{ userCount }")
            mutation = await post('mutation { register(email: "busy@example.com") }')
        afterwards = await post("{ userCount }")

    for body in (query, mutation):
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        assert "try again" in error["message"]
        assert "QueuePool" not in str(body)
    assert afterwards == {"data": {"userCount": 0}}
