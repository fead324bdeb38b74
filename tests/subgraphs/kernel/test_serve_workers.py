"""`ehb subgraph NAME --workers N`: several processes on one port, once-only work done once,
and JSON log lines that carry the request id."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest
from starlette.applications import Starlette

from subgraphs.identity.app import create_app
from subgraphs.kernel.app import _relays_here
from subgraphs.kernel.settings import Settings
from subgraphs.kernel.testing import migrated_settings, running_subgraph
from tests.fixtures.benchmark.loopback import unused_loopback_port

EHB = str(Path(sys.executable).with_name("ehb"))
READY_TIMEOUT_SECONDS = 30.0


def _text(path: Path) -> str:
    return path.read_text()


async def _wait_until_serving(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with httpx.AsyncClient() as client, asyncio.timeout(READY_TIMEOUT_SECONDS):
        while True:
            if process.returncode is not None:
                raise AssertionError(f"ehb subgraph exited: {_text(log)}")
            try:
                await client.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)


async def test_two_workers_serve_one_port_generate_keys_once_and_log_json(tmp_path: Path) -> None:
    await migrated_settings("identity", tmp_path)
    port = unused_loopback_port()
    log = tmp_path / "identity.log"
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("EHB_")},
        "EHB_DATA_DIR": str(tmp_path),
        "EHB_LOG_FORMAT": "json",
    }
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            EHB,
            "subgraph",
            "identity",
            "--port",
            str(port),
            "--workers",
            "2",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    try:
        await _wait_until_serving(f"http://127.0.0.1:{port}/health", process, log)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": "{ __typename }"},
                headers={"x-request-id": "workers-test-1"},
            )
            jwks = (await client.get(f"http://127.0.0.1:{port}/.well-known/jwks.json")).json()
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            code = await process.wait()

    assert response.json() == {"data": {"__typename": "Query"}}
    assert code == 0
    # Worker 0 started (and generated the development signing key) before worker 1 forked.
    assert len(list((tmp_path / "identity-keys").glob("*.json"))) == 1
    assert len(jwks["keys"]) == 1
    lines = [orjson.loads(line) for line in log.read_text().splitlines()]
    started = {line["message"] for line in lines if "Started server process" in line["message"]}
    assert len(started) == 2  # two processes, two pids
    assert any("serving with 2 worker processes" in line["message"] for line in lines)
    request_lines = [line for line in lines if line.get("request_id") == "workers-test-1"]
    assert request_lines, lines
    assert {"timestamp", "level", "logger", "message"} <= set(request_lines[0])


def _with_worker_index(index: int) -> Callable[[Settings], Starlette]:
    def factory(settings: Settings) -> Starlette:
        app = create_app(settings)
        app.state.worker_index = index
        return app

    return factory


@pytest.mark.parametrize(("index", "relays"), [(0, True), (1, False)])
async def test_on_sqlite_only_worker_0_runs_the_outbox_relay(
    tmp_path: Path, index: int, relays: bool
) -> None:
    async with running_subgraph(
        "identity", tmp_path, app_factory=_with_worker_index(index)
    ) as running:
        assert hasattr(running.app.state, "outbox_relay") is relays


def test_on_postgresql_every_worker_runs_the_outbox_relay() -> None:
    app = Starlette()
    app.state.worker_index = 3
    assert _relays_here(app, "postgresql+asyncpg://ehb@127.0.0.1/test")
    assert not _relays_here(app, "sqlite+aiosqlite:///data/identity.db")


async def test_when_worker_0_cannot_start_no_other_worker_is_started(tmp_path: Path) -> None:
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("EHB_")},
        "EHB_DATA_DIR": str(tmp_path),
        "EHB_ENV": "production",  # identity refuses to start without EHB_IDENTITY_SIGNING_KEYS
    }
    process = await asyncio.create_subprocess_exec(
        EHB,
        "subgraph",
        "identity",
        "--port",
        str(unused_loopback_port()),
        "--workers",
        "3",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    async with asyncio.timeout(READY_TIMEOUT_SECONDS):
        _, stderr = await process.communicate()

    log = stderr.decode()
    assert process.returncode == 1
    assert "production needs EHB_IDENTITY_SIGNING_KEYS" in log
    assert "identity worker 0 did not start: not starting the others" in log
    assert log.count("Started server process") == 1
