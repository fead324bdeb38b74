"""A subgraph's spans, exported over OTLP/HTTP to a real receiver: one per GraphQL request,
continuing the caller's ``traceparent``, and one per SQL statement beneath it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.applications import Starlette

from subgraphs.kernel.settings import Settings
from subgraphs.kernel.statement_timing import listening
from subgraphs.kernel.telemetry import tracing_wanted
from subgraphs.kernel.testing import default_app_factory, running_subgraph
from tests.integration.telemetry.otlp_receiver import otlp_receiver

VIDEOS = "query Videos { videos(first: 5) { edges { node { id title } } } }"
TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER = "b7ad6b7169203331"


def media_with(**update: object) -> Callable[[Settings], Starlette]:
    def create(settings: Settings) -> Starlette:
        return default_app_factory("media")(settings.model_copy(update=update))

    return create


async def test_a_request_and_its_statements_join_the_callers_trace(tmp_path: Path) -> None:
    async with otlp_receiver() as receiver:
        factory = media_with(otlp_traces_endpoint=receiver.url)
        async with running_subgraph("media", tmp_path, app_factory=factory) as media:
            response = await media.client.post(
                f"{media.url}/graphql",
                json={"query": VIDEOS, "operationName": "Videos"},
                headers={"traceparent": f"00-{TRACE}-{CALLER}-01"},
            )
        # Leaving the context stopped the app: its lifespan flushed the spans.

    assert "errors" not in response.json()
    spans = receiver.in_trace(TRACE)
    assert {span.service for span in spans} == {"ehb-media"}
    (request,) = [span for span in spans if span.name == "subgraph.request"]
    assert request.parent_span_id == CALLER
    assert request.attributes["graphql.operation.name"] == "Videos"
    assert request.attributes["http.response.status_code"] == 200
    statements = [span for span in spans if span.parent_span_id == request.span_id]
    assert statements, "no SQL spans under the request"
    for statement in statements:
        assert statement.attributes["db.system"] == "sqlite"
        assert statement.name == statement.attributes["db.statement"].split()[0].upper()
    assert any(span.name == "SELECT" for span in statements)
    assert len(spans) == 1 + len(statements)


async def test_without_tracing_statements_have_no_listener(tmp_path: Path) -> None:
    async with running_subgraph("media", tmp_path, app_factory=media_with()) as media:
        engine = media.app.state.database.engine
        assert not listening(engine)


@pytest.mark.parametrize(
    ("env", "endpoint", "wanted"),
    [
        ({}, None, False),
        ({}, "http://collector:4318/v1/traces", True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, None, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, None, True),
        ({"OTEL_TRACES_EXPORTER": "none"}, "http://collector:4318/v1/traces", False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, None, False),
    ],
)
def test_which_settings_turn_tracing_on(
    env: dict[str, str], endpoint: str | None, wanted: bool
) -> None:
    assert tracing_wanted(Settings(otlp_traces_endpoint=endpoint), env) is wanted


def test_an_unusable_exporter_is_refused() -> None:
    with pytest.raises(ValueError, match="gRPC is not supported"):
        tracing_wanted(
            Settings(), {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
        )


async def test_a_failing_statement_ends_its_span_with_an_error(tmp_path: Path) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import StatusCode
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from subgraphs.kernel.db import create_engine
    from subgraphs.kernel.statement_timing import (
        count_statements_per_request,
        tallying,
        tracing_statements,
    )

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'spans.db'}")
    count_statements_per_request(engine)
    count_statements_per_request(engine)  # a second call adds no second listener
    try:
        with tracing_statements(provider.get_tracer("test")), tallying() as tally:
            async with engine.connect() as connection:
                with pytest.raises(OperationalError):
                    await connection.execute(text("SELECT * FROM nosuch"))
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
        provider.shutdown()

    failed, selected = exporter.get_finished_spans()
    assert failed.status.status_code is StatusCode.ERROR
    assert (
        failed.attributes is not None
        and failed.attributes["db.statement"] == "SELECT * FROM nosuch"
    )
    assert selected.status.status_code is StatusCode.UNSET
    assert tally.statements == 1  # the failed one never completed
