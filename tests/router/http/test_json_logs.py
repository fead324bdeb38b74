"""`EHB_LOG_FORMAT=json`: the router logs one JSON object per line, with the request's id."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import orjson
from opentelemetry.sdk.trace import TracerProvider

from router.logging_setup import REQUEST_ID, RequestJsonFormatter
from tests.fixtures.benchmark.loopback import unused_loopback_port
from tests.fixtures.subscriptions.platform import SUPERGRAPH
from tests.router.http.router_process import running_router


async def test_a_request_logs_a_json_line_with_its_request_id(tmp_path: Path) -> None:
    jwks_url = f"http://127.0.0.1:{unused_loopback_port()}/.well-known/jwks.json"
    async with (
        running_router(
            "--supergraph",
            str(SUPERGRAPH),
            log_path=tmp_path / "router.log",
            env={"EHB_LOG_FORMAT": "json", "EHB_ROUTER_JWKS_URL": jwks_url},
        ) as router,
        aiohttp.ClientSession() as client,
        client.post(
            router.graphql_url,
            json={"query": "{ feedName }"},
            headers={"authorization": "Bearer not-a-token", "x-request-id": "json-log-1"},
        ) as response,
    ):
        assert response.status == 401
        await router.wait_for_log(lambda log: "json-log-1" in log)

    lines = router.json_log()
    assert len(lines) == len(router.log().splitlines())  # every line is one JSON object
    [refused] = [line for line in lines if line.get("request_id") == "json-log-1"]
    assert refused["logger"] == "router.http.authenticate"
    assert refused["level"] == "INFO"
    assert str(refused["message"]).startswith("refused a bearer token")
    assert str(refused["timestamp"]).endswith("Z")


def test_a_json_line_carries_the_current_span_ids() -> None:
    record = logging.LogRecord("router.test", logging.WARNING, __file__, 1, "hi %s", ("x",), None)
    formatter = RequestJsonFormatter((REQUEST_ID,))
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("request") as span:
        token = REQUEST_ID.set("rid-7")
        try:
            line = orjson.loads(formatter.format(record))
        finally:
            REQUEST_ID.reset(token)
    context = span.get_span_context()

    assert list(line) == [
        "timestamp",
        "level",
        "logger",
        "message",
        "request_id",
        "trace_id",
        "span_id",
    ]
    assert line["message"] == "hi x"
    assert line["request_id"] == "rid-7"
    assert line["trace_id"] == f"{context.trace_id:032x}"
    assert line["span_id"] == f"{context.span_id:016x}"
