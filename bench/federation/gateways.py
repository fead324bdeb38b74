"""The gateways the federation benchmark compares, and how each is started and asked.

Peers run from tools/node (installed by scripts/npm-tools) with the launchers the comparison
tests use: tests/integration/benchmark/apollo_gateway.cjs (@apollo/gateway inside
@apollo/server's standalone server) and its hive_gateway.config.mjs (@graphql-hive/gateway's CLI),
through hive_gateway.config.mjs beside this file (which can also turn off Hive's sharing of
identical subgraph fetches).
"""

from __future__ import annotations

import http.client
import os
import select
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from bench.federation.processes import Started, pinned, start
from tests.fixtures.benchmark.loopback import unused_loopback_port

ROOT = Path(__file__).resolve().parents[2]
# The `ehb` of the environment running the harness (the .venv, under bench/federation/run).
EHB = Path(sys.executable).parent / "ehb"
LAUNCHERS = ROOT / "tests/integration/benchmark"
HIVE_GATEWAY_CONFIG = Path(__file__).with_name("hive_gateway.config.mjs")
HIVE_GATEWAY_BIN = ROOT / "tools/node/node_modules/@graphql-hive/gateway/dist/bin.js"
START_TIMEOUT_SECONDS = 60.0
RESERVED_PORTS = range(4000, 4007)  # `ehb dev`

Command = Callable[[Path, dict[str, str], int], tuple[list[str], dict[str, str]]]


@dataclass(frozen=True)
class Gateway:
    key: str
    label: str
    ours: bool
    deduplication: str  # what the gateway deduplicates in this configuration
    command: Command  # (supergraph, subgraph urls, port) -> (argv, extra environment)
    prints_url: bool = False  # listens on an ephemeral port and prints its URL first (Apollo)


def _ours(dedup: bool) -> Command:
    def command(
        supergraph: Path, urls: dict[str, str], port: int
    ) -> tuple[list[str], dict[str, str]]:
        argv = [str(EHB), "router", "--supergraph", str(supergraph), "--host", "127.0.0.1"]
        argv += ["--port", str(port)]
        for name, url in urls.items():
            argv += ["--subgraph-url", f"{name}={url}"]
        return argv, {"EHB_ROUTER_DEDUP": "1" if dedup else "0"}

    return command


def _apollo(supergraph: Path, urls: dict[str, str], port: int) -> tuple[list[str], dict[str, str]]:
    argv = ["node", str(LAUNCHERS / "apollo_gateway.cjs"), str(supergraph)]
    argv += [f"{name}={url}" for name, url in urls.items()]
    return argv, {"NODE_ENV": "production"}


def _hive(rust_planner: bool, deduplicate_requests: bool, share_fetches: bool = True) -> Command:
    def command(
        supergraph: Path, urls: dict[str, str], port: int
    ) -> tuple[list[str], dict[str, str]]:
        argv = ["node", str(HIVE_GATEWAY_BIN), "supergraph", str(supergraph)]
        argv += ["--config-path", str(HIVE_GATEWAY_CONFIG)]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--fork", "1"]
        return argv, {
            "NODE_ENV": "production",
            "LOG_LEVEL": "error",
            "NO_COLOR": "1",
            "EHB_HIVE_SUBGRAPH_URLS": orjson.dumps(urls).decode(),
            "EHB_HIVE_ROUTER_RUNTIME": "1" if rust_planner else "0",
            "EHB_HIVE_DEDUPLICATE_REQUESTS": "1" if deduplicate_requests else "0",
            "EHB_HIVE_DEDUPLICATE_SUBGRAPH_FETCHES": "1" if share_fetches else "0",
        }

    return command


GATEWAYS: dict[str, Gateway] = {
    gateway.key: gateway
    for gateway in (
        Gateway(
            "ours",
            "EHB router",
            True,
            "identical client queries and subgraph fetches (default)",
            _ours(dedup=True),
        ),
        Gateway(
            "ours-nodedup",
            "EHB router, EHB_ROUTER_DEDUP=0",
            True,
            "none",
            _ours(dedup=False),
        ),
        Gateway(
            "apollo",
            "Apollo Gateway (@apollo/server)",
            False,
            "none",
            _apollo,
            prints_url=True,
        ),
        Gateway(
            "hive-js",
            "Hive Gateway, JS planner",
            False,
            "identical subgraph fetches (its default)",
            _hive(rust_planner=False, deduplicate_requests=False),
        ),
        Gateway(
            "hive-rust",
            "Hive Gateway, Rust planner",
            False,
            "identical subgraph fetches (its default)",
            _hive(rust_planner=True, deduplicate_requests=False),
        ),
        Gateway(
            "hive-rust-nodedup",
            "Hive Gateway, Rust planner, no dedup",
            False,
            "none (deduplicateInflightRequests: false)",
            _hive(rust_planner=True, deduplicate_requests=False, share_fetches=False),
        ),
        Gateway(
            "hive-rust-dedup",
            "Hive Gateway, Rust planner + request dedup",
            False,
            "identical client requests (inboundInflightRequestDeduplication) and subgraph fetches",
            _hive(rust_planner=True, deduplicate_requests=True),
        ),
    )
}


def free_port() -> int:
    while (port := unused_loopback_port()) in RESERVED_PORTS:
        pass
    return port


class GatewayFailedToStart(RuntimeError):
    pass


def start_gateway(
    gateway: Gateway, supergraph: Path, urls: dict[str, str], cpu: int | None
) -> tuple[Started, str]:
    """Starts ``gateway`` pinned to ``cpu``; returns it and its GraphQL URL once it answers a
    small query of the graph."""
    port = free_port()
    argv, extra_env = gateway.command(supergraph, urls, port)
    env = {**os.environ, **extra_env}
    for variable in ("FORK", "HIVE_ROUTER_RUNTIME", "JIT", "CONFIG_PATH", "PORT", "HOST"):
        env.pop(variable, None)
    log = tempfile.TemporaryFile()  # noqa: SIM115 - Started.stop closes it
    started = start(pinned(argv, cpu), log, env, stdout_pipe=gateway.prints_url)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        if gateway.prints_url:
            url = _read_printed_url(started)
            started.discard_stdout()
        _wait_until_answering(started, url)
    except BaseException:
        started.stop()
        raise
    return started, url


def _read_printed_url(started: Started) -> str:
    stdout = started.process.stdout
    assert stdout is not None
    ready, _, _ = select.select([stdout], [], [], START_TIMEOUT_SECONDS)
    line = stdout.readline() if ready else b""
    if not line.startswith(b"http://"):
        raise GatewayFailedToStart(f"printed {line!r} instead of its URL; {started.output()}")
    return line.decode().strip()


# Answered from the graph (products), not just by the gateway: Hive Gateway answers
# `{ __typename }` while still loading its supergraph, with an empty schema.
READINESS_QUERY = orjson.dumps({"query": "{ topProducts(first: 1) { upc } }"})


def _wait_until_answering(started: Started, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    last = "nothing"
    while time.monotonic() < deadline:
        if started.process.poll() is not None:
            raise GatewayFailedToStart(
                f"exited with code {started.process.returncode}; its output:\n{started.output()}"
            )
        try:
            status, body = post(url, READINESS_QUERY, timeout=5.0)
            if status == 200 and "errors" not in body and body.get("data"):
                return
            last = f"HTTP {status} {orjson.dumps(body).decode()[:300]}"
        except (OSError, http.client.HTTPException, orjson.JSONDecodeError) as error:
            last = repr(error)
        time.sleep(0.1)
    raise GatewayFailedToStart(
        f"did not answer {READINESS_QUERY.decode()} within {START_TIMEOUT_SECONDS:.0f} s "
        f"(last: {last}); its output:\n{started.output()}"
    )


def post(url: str, body: bytes, *, timeout: float = 30.0) -> tuple[int, dict[str, Any]]:
    """POSTs a JSON body; the status and the decoded JSON object (or {} for anything else)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    try:
        connection.request(
            "POST",
            parts.path or "/",
            body=body,
            headers={"content-type": "application/json", "accept": "application/json"},
        )
        response = connection.getresponse()
        decoded = orjson.loads(response.read())
        return response.status, decoded if isinstance(decoded, dict) else {}
    finally:
        connection.close()


def get_json(url: str) -> Any:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        return orjson.loads(connection.getresponse().read())
    finally:
        connection.close()
