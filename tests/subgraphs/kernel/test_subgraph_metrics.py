"""A subgraph's ``GET /metrics``: requests, errors and latency per operation name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import RunningSubgraph, default_app_factory, running_subgraph

VIDEOS = "query Videos { videos(first: 5) { edges { node { id title } } } }"


def media_with(**update: object) -> Callable[[Settings], Starlette]:
    def create(settings: Settings) -> Starlette:
        return default_app_factory("media")(settings.model_copy(update=update))

    return create


async def scrape(media: RunningSubgraph) -> dict[tuple[str, str], float]:
    response = await media.client.get(f"{media.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    counts: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.labels.get("subgraph") == "media":
                counts[(sample.name, sample.labels["operation"])] = sample.value
    return counts


async def test_requests_and_errors_are_counted_per_operation(tmp_path: Path) -> None:
    async with running_subgraph("media", tmp_path, app_factory=media_with()) as media:
        url = f"{media.url}/graphql"
        for _ in range(2):
            response = await media.client.post(
                url, json={"query": VIDEOS, "operationName": "Videos"}
            )
            assert "errors" not in response.json()
        await media.client.post(url, json={"query": "{ nosuch }"})
        await media.client.post(
            url, content=b"{not json", headers={"content-type": "application/json"}
        )
        counts = await scrape(media)

    assert counts[("ehb_subgraph_requests_total", "Videos")] == 2
    assert counts[("ehb_subgraph_request_errors_total", "Videos")] == 0
    assert counts[("ehb_subgraph_request_duration_seconds_count", "Videos")] == 2
    # The GraphQL error and the unreadable body (HTTP 400): both failures without a name.
    assert counts[("ehb_subgraph_requests_total", "anonymous")] == 2
    assert counts[("ehb_subgraph_request_errors_total", "anonymous")] == 2


async def test_operation_names_beyond_the_limit_count_as_other(tmp_path: Path) -> None:
    factory = media_with(metrics_max_operations=1)
    async with running_subgraph("media", tmp_path, app_factory=factory) as media:
        for name in ("One", "Two", "Three", "One"):
            query = f"query {name} {{ videos(first: 1) {{ edges {{ node {{ id }} }} }} }}"
            await media.client.post(
                f"{media.url}/graphql", json={"query": query, "operationName": name}
            )
        counts = await scrape(media)

    requests = {op: n for (name, op), n in counts.items() if name == "ehb_subgraph_requests_total"}
    assert requests == {"One": 2, "other": 2}


async def test_metrics_can_be_switched_off(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EHB_METRICS", "0")
    assert Settings().metrics is False
    monkeypatch.delenv("EHB_METRICS")
    async with running_subgraph("media", tmp_path, app_factory=media_with(metrics=False)) as media:
        response = await media.client.get(f"{media.url}/metrics")
        answered = await media.client.post(f"{media.url}/graphql", json={"query": VIDEOS})

    assert response.status_code == 404
    assert "EHB_METRICS" in response.json()["error"]
    assert "errors" not in answered.json()
