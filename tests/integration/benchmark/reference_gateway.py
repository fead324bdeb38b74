"""Start and stop the reference gateway: @apollo/gateway in @apollo/server (apollo_gateway.cjs)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

GATEWAY_SCRIPT = Path(__file__).with_name("apollo_gateway.cjs")
GATEWAY_START_TIMEOUT_SECONDS = 30.0


async def start_apollo_gateway(
    supergraph_path: Path, subgraph_urls: dict[str, str]
) -> tuple[asyncio.subprocess.Process, str]:
    """Returns the Node process and the gateway's GraphQL URL."""
    process = await asyncio.create_subprocess_exec(
        "node",
        str(GATEWAY_SCRIPT),
        str(supergraph_path),
        *(f"{name}={url}" for name, url in subgraph_urls.items()),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "NODE_ENV": "production"},
    )
    assert process.stdout is not None
    async with asyncio.timeout(GATEWAY_START_TIMEOUT_SECONDS):
        first_line = await process.stdout.readline()
    if not first_line.startswith(b"http://"):
        await stop_process(process)
        raise RuntimeError(f"@apollo/gateway did not start: {first_line!r}")
    return process, first_line.decode().strip()


async def stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await process.wait()
