"""EHB_SQL_STATEMENT_TIMING: each GraphQL response says how many SQL statements it took."""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette

from subgraphs.kernel.settings import Settings
from subgraphs.kernel.statement_timing import parse_statement_timing
from subgraphs.kernel.testing import count_statements, default_app_factory, running_subgraph

VIDEOS = "{ videos(first: 5) { edges { node { id title } } } }"


def media_with_timing(enabled: bool) -> Callable[[Settings], Starlette]:
    def create(settings: Settings) -> Starlette:
        return default_app_factory("media")(
            settings.model_copy(update={"sql_statement_timing": enabled})
        )

    return create


def test_the_setting_is_off_unless_the_environment_turns_it_on(monkeypatch):
    assert Settings().sql_statement_timing is False
    monkeypatch.setenv("EHB_SQL_STATEMENT_TIMING", "1")
    assert Settings().sql_statement_timing is True


async def test_a_response_reports_the_statements_its_request_sent(tmp_path):
    async with running_subgraph("media", tmp_path, app_factory=media_with_timing(True)) as media:
        with count_statements(media.engine) as statements:
            response = await media.client.post(f"{media.url}/graphql", json={"query": VIDEOS})

    assert response.status_code == 200
    assert "errors" not in response.json()
    reported = parse_statement_timing(response.headers["server-timing"])
    assert reported is not None
    count, milliseconds = reported
    assert count == len(statements) >= 1
    assert milliseconds >= 0


async def test_a_request_counts_only_its_own_statements(tmp_path):
    async with running_subgraph("media", tmp_path, app_factory=media_with_timing(True)) as media:
        url = f"{media.url}/graphql"
        first = await media.client.post(url, json={"query": VIDEOS})
        second = await media.client.post(url, json={"query": VIDEOS})
        # Statements outside any request (here: this test's own) are nobody's.
        async with media.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        third = await media.client.post(url, json={"query": VIDEOS})

    counts = [parse_statement_timing(r.headers["server-timing"]) for r in (first, second, third)]
    assert counts[0] is not None
    assert [c[0] for c in counts if c is not None] == [counts[0][0]] * 3


async def test_no_header_when_the_setting_is_off(tmp_path):
    async with running_subgraph("media", tmp_path, app_factory=media_with_timing(False)) as media:
        response = await media.client.post(f"{media.url}/graphql", json={"query": VIDEOS})

    assert response.status_code == 200
    assert "server-timing" not in response.headers


def test_the_header_value_parses_back():
    assert parse_statement_timing('db;dur=1.250;desc="3 statements"') == (3, 1.25)
    assert parse_statement_timing('app;dur=2, db;dur=0.5;desc="1 statement"') == (1, 0.5)
    assert parse_statement_timing("total;dur=3") is None
