"""`ehb router` as a child process of a test: started on a free loopback port, its stderr in a
file the test can read, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson

from tests.fixtures.benchmark.loopback import unused_loopback_port

EHB = str(Path(sys.executable).with_name("ehb"))
READY_TIMEOUT_SECONDS = 30.0


@dataclass
class RouterProcess:
    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def graphql_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def log(self) -> str:
        return self.log_path.read_text()

    def json_log(self) -> list[dict[str, object]]:
        return [orjson.loads(line) for line in self.log().splitlines() if line.startswith("{")]

    async def wait_for_log(self, found: Callable[[str], bool], seconds: float = 10.0) -> None:
        async with asyncio.timeout(seconds):
            while not found(self.log()):  # noqa: ASYNC110 - another process writes it
                await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running_router(
    *args: str, log_path: Path, env: dict[str, str] | None = None
) -> AsyncIterator[RouterProcess]:
    """``ehb router --port <free> *args``, healthy before this yields; SIGTERM afterwards."""
    port = unused_loopback_port()
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            EHB,
            "router",
            "--port",
            str(port),
            *args,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log_file,
            env={**os.environ, **(env or {})},
        )
    router = RouterProcess(process, port, log_path)
    try:
        await _wait_until_healthy(router)
        yield router
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


async def _wait_until_healthy(router: RouterProcess) -> None:
    async with aiohttp.ClientSession() as client, asyncio.timeout(READY_TIMEOUT_SECONDS):
        while True:
            if router.process.returncode is not None:
                raise AssertionError(f"ehb router exited: {router.log()}")
            try:
                async with client.get(f"http://127.0.0.1:{router.port}/health"):
                    return  # serving (healthy subgraphs or not)
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
