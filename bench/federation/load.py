"""Load with wrk (wrk.lua beside this file): a constant number of connections, each POSTing the
same body as fast as answers come back."""

from __future__ import annotations

import os
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.federation.processes import pinned

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
# A request unanswered this long counts as a socket error (and not in the latencies): long
# enough that only a hung gateway reaches it, even a slow one under 50 connections.
REQUEST_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int  # connect + read + write + timeout
    graphql_errors: int  # 2xx answers whose body holds "errors"
    checked: int  # answers wrk's script looked at (all of them)
    wrk_cpu_seconds: float  # wrk's own user + system time (it shares its CPU with the subgraphs)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    url: str,
    body_file: Path,
    *,
    seconds: float,
    connections: int,
    cpu: int | None,
    threads: int = 1,
) -> LoadResult:
    argv = pinned(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            f"{REQUEST_TIMEOUT_SECONDS}s",
            "--latency",
            "-s",
            str(WRK_SCRIPT),
            url,
        ],
        cpu,
    )
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(
        argv,
        env={**os.environ, "EHB_BENCH_BODY_FILE": str(body_file)},
        capture_output=True,
        text=True,
        timeout=seconds + REQUEST_TIMEOUT_SECONDS + 60,
        check=False,
    )
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu_seconds = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    for line in finished.stdout.splitlines():
        if line.startswith("EHB_RESULT "):
            figures = orjson.loads(line.removeprefix("EHB_RESULT "))
            return LoadResult(
                requests=figures["requests"],
                seconds=figures["duration_us"] / 1e6,
                p50_ms=figures["p50_us"] / 1000,
                p99_ms=figures["p99_us"] / 1000,
                non_2xx=figures["status"],
                socket_errors=sum(
                    figures[kind] for kind in ("connect", "read", "write", "timeout")
                ),
                graphql_errors=figures["graphql_errors"],
                checked=figures["checked"],
                wrk_cpu_seconds=wrk_cpu_seconds,
            )
    raise RuntimeError(
        f"wrk gave no result (exit {finished.returncode}):\n{finished.stdout}\n{finished.stderr}"
    )
