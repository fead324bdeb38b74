"""`ehb router` as people run it: a subprocess serving the benchmark supergraph."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.fixtures.benchmark.loopback import start_loopback_server, unused_loopback_port
from tests.fixtures.benchmark.subgraph_servers import subgraph_app
from tests.integration.benchmark.graphql_client import post_graphql
from tests.integration.benchmark.router_server import SUPERGRAPH_PATH

EHB = str(Path(sys.executable).with_name("ehb"))
READY_TIMEOUT_SECONDS = 30.0
SUBGRAPH_DELAY_SECONDS = 0.6


def _delayed(app: ASGIApp, seconds: float) -> ASGIApp:
    async def delayed_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(seconds)
        await app(scope, receive, send)

    return delayed_app


async def _start_ehb_router(port: int, subgraph_urls: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        EHB,
        "router",
        "--supergraph",
        str(SUPERGRAPH_PATH),
        "--port",
        str(port),
        *(
            arg
            for name, url in subgraph_urls.items()
            for arg in ("--subgraph-url", f"{name}={url}")
        ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _wait_until_healthy(client: aiohttp.ClientSession, url: str) -> None:
    async with asyncio.timeout(READY_TIMEOUT_SECONDS):
        while True:
            try:
                async with client.get(url) as response:
                    if 200 <= response.status < 300:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


async def test_ehb_router_serves_the_supergraph_and_exits_cleanly_on_sigterm(
    client: aiohttp.ClientSession, subgraph_urls: dict[str, str]
) -> None:
    port = unused_loopback_port()
    process = await asyncio.create_subprocess_exec(
        EHB,
        "router",
        "--supergraph",
        str(SUPERGRAPH_PATH),
        "--port",
        str(port),
        *(
            arg
            for name, url in subgraph_urls.items()
            for arg in ("--subgraph-url", f"{name}={url}")
        ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_until_healthy(client, f"http://127.0.0.1:{port}/health")
        async with client.get(f"http://127.0.0.1:{port}/health") as response:
            health = orjson.loads(await response.read())
        status, body = await post_graphql(
            client, f"http://127.0.0.1:{port}/graphql", "{ topProducts(first: 1) { name } }"
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            return_code = await process.wait()

    assert health["status"] == "pass"
    assert status == 200
    assert body == {"data": {"topProducts": [{"name": "Table"}]}}
    assert return_code == 0


async def test_sigterm_lets_an_in_flight_request_finish_before_exiting(
    client: aiohttp.ClientSession, subgraph_urls: dict[str, str]
) -> None:
    slow_accounts = await start_loopback_server(
        _delayed(subgraph_app("accounts"), SUBGRAPH_DELAY_SECONDS)
    )
    port = unused_loopback_port()
    process = await _start_ehb_router(
        port, {**subgraph_urls, "accounts": slow_accounts.graphql_url}
    )
    try:
        await _wait_until_healthy(client, f"http://127.0.0.1:{port}/health")
        in_flight = asyncio.create_task(
            post_graphql(client, f"http://127.0.0.1:{port}/graphql", "{ me { name } }")
        )
        await asyncio.sleep(SUBGRAPH_DELAY_SECONDS / 3)
        process.send_signal(signal.SIGTERM)
        status, body = await in_flight
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            return_code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await slow_accounts.stop()

    assert status == 200
    assert body == {"data": {"me": {"name": "Uri Goldshtein"}}}
    assert return_code == 0


async def _run_ehb(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        EHB,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ},
    )
    async with asyncio.timeout(READY_TIMEOUT_SECONDS):
        _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_missing_supergraph_file_is_a_one_line_error_with_exit_code_2(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere.graphql"

    code, stderr = await _run_ehb("router", "--supergraph", str(missing), "--port", "1")

    assert code == 2
    assert stderr == f"ehb router: supergraph file {missing} does not exist\n"


async def test_an_unusable_supergraph_is_a_one_line_error_with_exit_code_2(
    tmp_path: Path,
) -> None:
    not_a_supergraph = tmp_path / "plain.graphql"
    not_a_supergraph.write_text("type Query { hello: String }\n")

    code, stderr = await _run_ehb("router", "--supergraph", str(not_a_supergraph), "--port", "1")

    assert code == 2
    assert stderr.startswith(f"ehb router: {not_a_supergraph} is not a usable supergraph: ")
    assert stderr.count("\n") == 1


async def test_an_invalid_router_setting_is_a_one_line_error_with_exit_code_2() -> None:
    process = await asyncio.create_subprocess_exec(
        EHB,
        "router",
        "--supergraph",
        str(SUPERGRAPH_PATH),
        "--port",
        "1",
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "EHB_ROUTER_SUBGRAPH_TIMEOUT": "soon"},
    )
    _, stderr = await process.communicate()

    assert process.returncode == 2
    assert stderr.decode() == (
        "ehb router: invalid router setting: EHB_ROUTER_SUBGRAPH_TIMEOUT must be a number, "
        "got 'soon'\n"
    )


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (command) state ppid ...": the command may hold spaces, so split after ")".
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            children.append(int(entry.name))
    return children


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_workers_share_the_port_and_all_stop_on_sigterm(
    client: aiohttp.ClientSession, subgraph_urls: dict[str, str]
) -> None:
    port = unused_loopback_port()
    process = await asyncio.create_subprocess_exec(
        EHB,
        "router",
        "--supergraph",
        str(SUPERGRAPH_PATH),
        "--port",
        str(port),
        "--workers",
        "2",
        *(
            arg
            for name, url in subgraph_urls.items()
            for arg in ("--subgraph-url", f"{name}={url}")
        ),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await _wait_until_healthy(client, f"http://127.0.0.1:{port}/health")
        workers = _children_of(process.pid)
        answers = await asyncio.gather(
            *(
                post_graphql(
                    client, f"http://127.0.0.1:{port}/graphql", "{ topProducts(first: 1) { name } }"
                )
                for _ in range(8)
            )
        )
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            return_code = await process.wait()

    assert len(workers) == 2
    assert answers == [(200, {"data": {"topProducts": [{"name": "Table"}]}})] * 8
    assert return_code == 0
    assert not any(_alive(worker) for worker in workers)


async def test_fewer_than_one_worker_is_refused() -> None:
    code, stderr = await _run_ehb(
        "router", "--supergraph", str(SUPERGRAPH_PATH), "--port", "1", "--workers", "0"
    )

    assert code == 2
    assert stderr == "ehb router: --workers must be at least 1, got 0\n"
