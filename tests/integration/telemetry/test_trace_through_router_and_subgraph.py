"""One trace from a client through the real router and the real media subgraph down to SQL:
router.request -> router.fetch -> subgraph.request -> one span per statement, exported by both
processes' tracers to one OTLP/HTTP receiver."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from starlette.applications import Starlette

from router.config import RouterConfig
from router.http.app import create_router_app
from router.telemetry.settings import TracingSettings
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import default_app_factory, running_subgraph
from tests.fixtures.benchmark.loopback import start_loopback_server
from tests.integration.platform.servers import SUPERGRAPH_PATH
from tests.integration.telemetry.otlp_receiver import ReceivedSpan, otlp_receiver

VIDEOS = "query RecentVideos { videos(first: 3) { edges { node { id title } } } }"
TRACE = "5b8efff798038103d269b633813fc60c"
CLIENT_SPAN = "eee19b7ec3c1b174"


async def test_one_trace_spans_router_fetch_subgraph_and_sql(tmp_path: Path) -> None:
    async with otlp_receiver() as receiver:

        def traced_media(settings: Settings) -> Starlette:
            return default_app_factory("media")(
                settings.model_copy(update={"otlp_traces_endpoint": receiver.url})
            )

        async with running_subgraph("media", tmp_path, app_factory=traced_media) as media:
            router = await start_loopback_server(
                create_router_app(
                    SUPERGRAPH_PATH.read_text(),
                    subgraph_urls={"media": f"{media.url}/graphql"},
                    config=RouterConfig(
                        tracing=TracingSettings(enabled=True, endpoint=receiver.url)
                    ),
                )
            )
            try:
                async with (
                    aiohttp.ClientSession() as client,
                    client.post(
                        router.graphql_url,
                        json={"query": VIDEOS},
                        headers={"traceparent": f"00-{TRACE}-{CLIENT_SPAN}-01"},
                    ) as response,
                ):
                    body = await response.json()
            finally:
                await router.stop()  # both lifespans flush their spans on the way out

    assert "errors" not in body, body
    spans = receiver.in_trace(TRACE)
    by_name: dict[str, list[ReceivedSpan]] = {}
    for span in spans:
        by_name.setdefault(span.name, []).append(span)

    (request,) = by_name["router.request"]
    assert request.service == "ehb-router"
    assert request.parent_span_id == CLIENT_SPAN
    assert request.attributes["graphql.operation.name"] == "RecentVideos"

    (fetch,) = by_name["router.fetch"]
    assert fetch.parent_span_id == request.span_id
    assert fetch.attributes["ehb.subgraph"] == "media"

    (answered,) = by_name["subgraph.request"]
    assert answered.service == "ehb-media"
    assert answered.parent_span_id == fetch.span_id
    assert (
        answered.attributes["graphql.operation.name"] == fetch.attributes["graphql.operation.name"]
    )

    statements = [span for span in spans if "db.statement" in span.attributes]
    assert statements, "no SQL spans in the trace"
    assert all(span.parent_span_id == answered.span_id for span in statements)
    assert all(span.attributes["db.system"] == "sqlite" for span in statements)
    assert any(
        span.attributes["db.statement"].lstrip().upper().startswith("SELECT") for span in statements
    )
