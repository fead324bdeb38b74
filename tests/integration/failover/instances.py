"""Subgraph instances as child processes (``subgraph_process``) that a test can kill."""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.fixtures.benchmark.loopback import bind_loopback_socket

REPO_ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT_SECONDS = 15.0


@dataclass
class InstanceProcess:
    process: asyncio.subprocess.Process
    base_url: str

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, open connections are reset."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        self.kill()
        await self.process.wait()


async def start_instance_process(name: str, port: int = 0) -> InstanceProcess:
    """Returns once the instance answers ``GET /health``; ``port`` 0: any free one (else a
    killed instance's, to bring it back where it was)."""
    listener = bind_loopback_socket(port)
    listener.listen(128)
    port = listener.getsockname()[1]
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.failover.subgraph_process",
            name,
            str(listener.fileno()),
            pass_fds=(listener.fileno(),),
            cwd=REPO_ROOT,
        )
    finally:
        # Only the child may hold the listener: once it dies, connections must be refused.
        listener.close()
    instance = InstanceProcess(process, f"http://127.0.0.1:{port}")
    try:
        await _wait_until_healthy(instance)
    except BaseException:
        await instance.stop()
        raise
    return instance


async def _wait_until_healthy(instance: InstanceProcess) -> None:
    async with aiohttp.ClientSession() as session, asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
        while True:
            if instance.process.returncode is not None:
                raise RuntimeError(f"instance exited with {instance.process.returncode}")
            try:
                async with session.get(f"{instance.base_url}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
