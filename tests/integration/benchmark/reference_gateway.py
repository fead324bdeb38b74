"""Start and stop the reference gateways: @apollo/gateway in @apollo/server (apollo_gateway.cjs)
and @graphql-hive/gateway's CLI (hive_gateway.config.mjs), both from tools/node/node_modules."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
from pathlib import Path
from typing import IO

import aiohttp
import orjson

from tests.fixtures.benchmark.loopback import unused_loopback_port

GATEWAY_SCRIPT = Path(__file__).with_name("apollo_gateway.cjs")
GATEWAY_START_TIMEOUT_SECONDS = 30.0

HIVE_GATEWAY_CONFIG = Path(__file__).with_name("hive_gateway.config.mjs")
HIVE_GATEWAY_BIN = (
    Path(__file__).resolve().parents[3]
    / "tools/node/node_modules/@graphql-hive/gateway/dist/bin.js"
)
HIVE_GATEWAY_START_TIMEOUT_SECONDS = 60.0
HIVE_GATEWAY_START_ATTEMPTS = 3  # a new port when the one picked was taken in the meantime
PROCESS_STOP_TIMEOUT_SECONDS = 10.0
RESERVED_PORTS = range(4000, 4007)  # `ehb dev`

# The (anonymous) output file of each process start_hive_gateway started; closed when it stops.
_PROCESS_OUTPUTS: dict[asyncio.subprocess.Process, IO[bytes]] = {}


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


async def start_hive_gateway(
    supergraph_path: Path,
    subgraph_urls: dict[str, str],
    *,
    rust_planner: bool = False,
    deduplicate_requests: bool = False,
) -> tuple[asyncio.subprocess.Process, str]:
    """Returns the Node process of `hive-gateway supergraph` (one process, no cluster workers) and
    its GraphQL URL once it answers `{ __typename }`.

    ``subgraph_urls`` (subgraph name -> url) replace the supergraph's join__graph urls;
    ``rust_planner`` plans and executes with @graphql-hive/router-runtime;
    ``deduplicate_requests`` shares one execution between identical in-flight client requests
    (``inboundInflightRequestDeduplication``, as Hive's published benchmark configures it).
    Hive's own deduplication of identical in-flight subgraph fetches is on in every mode (its
    default)."""
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "LOG_LEVEL": "error",
        "NO_COLOR": "1",
        "EHB_HIVE_SUBGRAPH_URLS": orjson.dumps(subgraph_urls).decode(),
        "EHB_HIVE_ROUTER_RUNTIME": "1" if rust_planner else "0",
        "EHB_HIVE_DEDUPLICATE_REQUESTS": "1" if deduplicate_requests else "0",
    }
    for variable in ("FORK", "HIVE_ROUTER_RUNTIME", "JIT", "CONFIG_PATH", "PORT", "HOST"):
        env.pop(variable, None)
    failure = ""
    for _ in range(HIVE_GATEWAY_START_ATTEMPTS):
        port = _free_port()
        output = tempfile.TemporaryFile()  # noqa: SIM115 - stop_process closes it
        process = await asyncio.create_subprocess_exec(
            "node",
            str(HIVE_GATEWAY_BIN),
            "supergraph",
            str(supergraph_path),
            "--config-path",
            str(HIVE_GATEWAY_CONFIG),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--fork",
            "1",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            env=env,
            start_new_session=True,  # its own process group: stop_process ends the whole tree
        )
        _PROCESS_OUTPUTS[process] = output
        url = f"http://127.0.0.1:{port}/graphql"
        try:
            ready = await _wait_until_answering(process, url)
        except BaseException:
            await stop_process(process)
            raise
        if ready:
            return process, url
        how = (
            f"exited with code {process.returncode}"
            if process.returncode is not None
            else f"did not answer within {HIVE_GATEWAY_START_TIMEOUT_SECONDS:.0f} s"
        )
        failure = f"@graphql-hive/gateway {how}; its output:\n{_read_output(output)}"
        await stop_process(process)
        if "EADDRINUSE" not in failure:
            break
    raise RuntimeError(failure)


def _free_port() -> int:
    while (port := unused_loopback_port()) in RESERVED_PORTS:
        pass
    return port


def _read_output(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode(errors="replace")


async def _wait_until_answering(process: asyncio.subprocess.Process, url: str) -> bool:
    """Polls `{ __typename }` until the gateway answers it (True) or its process ends or the start
    timeout passes (False)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HIVE_GATEWAY_START_TIMEOUT_SECONDS
    payload = orjson.dumps({"query": "{ __typename }"})
    headers = {"content-type": "application/json"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as client:
        while process.returncode is None and loop.time() < deadline:
            try:
                async with client.post(url, data=payload, headers=headers) as response:
                    body = orjson.loads(await response.read())
                    data = body.get("data") if isinstance(body, dict) else None
                    answered = data == {"__typename": "Query"}
                    if response.status == 200 and answered:
                        return True
            except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
                pass
            await asyncio.sleep(0.1)
    return False


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """Ends a gateway process; for those started in their own process group (Hive Gateway), the
    whole group, SIGKILLing what SIGTERM did not end."""
    output = _PROCESS_OUTPUTS.pop(process, None)
    own_group = output is not None
    if process.returncode is None:
        if own_group:
            _signal_group(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        try:
            async with asyncio.timeout(PROCESS_STOP_TIMEOUT_SECONDS):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
    if own_group:
        _signal_group(process.pid, signal.SIGKILL)  # anything it forked and left behind
    if output is not None:
        output.close()


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)
