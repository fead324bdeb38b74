"""/health is liveness; /ready needs a reachable database at the subgraph's migration head."""

from __future__ import annotations

import httpx

from subgraphs.kernel.migrations import migrate_to_head_async
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import running_subgraph, serve_app
from tests.subgraphs.kernel.kernel_probe import create_probe_app


async def test_health_passes_and_ready_waits_for_migrations(tmp_path):
    async with running_subgraph(
        "identity", tmp_path, app_factory=create_probe_app, migrate=False
    ) as subgraph:
        health = await subgraph.client.get(f"{subgraph.url}/health")
        assert health.status_code == 200
        assert health.json()["status"] == "pass"

        before = await subgraph.client.get(f"{subgraph.url}/ready")
        assert before.status_code == 503
        assert before.json()["status"] == "fail"
        assert "ehb migrate identity" in before.json()["reason"]

        await migrate_to_head_async("identity", str(subgraph.engine.url))

        after = await subgraph.client.get(f"{subgraph.url}/ready")
        assert after.status_code == 200
        assert after.json() == {"status": "pass", "subgraph": "identity"}


async def test_ready_reports_an_unreachable_database(tmp_path):
    # A directory is not a database file: every connection attempt fails.
    settings = Settings(database_urls={"identity": f"sqlite+aiosqlite:///{tmp_path}"})
    async with serve_app(create_probe_app(settings)) as url, httpx.AsyncClient() as client:
        health = await client.get(f"{url}/health")
        ready = await client.get(f"{url}/ready")

    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["reason"] == "database unreachable: OperationalError"


async def test_graphiql_is_served_in_dev_and_not_in_production(tmp_path):
    pages = {}
    for env in ("dev", "production"):
        settings = Settings(
            env=env, database_urls={"identity": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
        )
        async with serve_app(create_probe_app(settings)) as url, httpx.AsyncClient() as client:
            pages[env] = await client.get(f"{url}/graphql", headers={"Accept": "text/html"})

    assert pages["dev"].status_code == 200 and "graphiql" in pages["dev"].text.lower()
    assert "graphiql" not in pages["production"].text.lower()
