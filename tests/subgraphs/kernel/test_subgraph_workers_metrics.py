"""`ehb subgraph media --workers 2`: whichever worker answers a scrape, `/metrics` adds up the
requests of both (prometheus-client's multiprocess mode, switched on before the fork)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from subgraphs.kernel.testing import migrated_settings
from tests.fixtures.benchmark.loopback import unused_loopback_port

EHB = str(Path(sys.executable).with_name("ehb"))
READY_TIMEOUT_SECONDS = 30.0
REQUESTS = 20
VIDEOS = "query Videos { videos(first: 1) { edges { node { id } } } }"


def videos_requests(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "ehb_subgraph_requests_total" and sample.labels == {
                "subgraph": "media",
                "operation": "Videos",
            }:
                return sample.value
    return 0.0


async def test_every_scrape_counts_the_requests_of_every_worker(tmp_path: Path) -> None:
    await migrated_settings("media", tmp_path)
    port = unused_loopback_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith("EHB_") and key != "PROMETHEUS_MULTIPROC_DIR"
        },
        "EHB_DATA_DIR": str(tmp_path),
    }
    log = tmp_path / "media.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            EHB,
            "subgraph",
            "media",
            "--port",
            str(port),
            "--workers",
            "2",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    try:
        # A new connection per request: both workers accept some of them.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                while True:
                    assert process.returncode is None, log.read_text()
                    try:
                        await client.get(f"{base}/health")
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)

            async def query() -> None:
                response = await client.post(
                    f"{base}/graphql", json={"query": VIDEOS, "operationName": "Videos"}
                )
                assert "errors" not in response.json()

            await asyncio.gather(*(query() for _ in range(REQUESTS)))
            scrapes = [
                videos_requests((await client.get(f"{base}/metrics")).text) for _ in range(6)
            ]
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await process.wait()

    assert scrapes == [REQUESTS] * 6
