"""The federation gateway benchmark behind ``bench/federation/run`` (method: README.md beside it).

The four subgraphs (``bench.federation.subgraphs``), wrk and this process share one CPU; each
gateway runs alone on the other. Every round starts each gateway in turn (A B C … A B C …),
checks its answer to the query against the oracle, warms it up, measures a window and stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import select
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.federation.gateways import GATEWAYS, Gateway, GatewayFailedToStart, get_json, post
from bench.federation.gateways import start_gateway as launch
from bench.federation.load import REQUEST_TIMEOUT_SECONDS, LoadResult, run_wrk
from bench.federation.processes import (
    MemorySampler,
    Started,
    distinct_cpus_available,
    pinned,
    start,
    tree_cpu_seconds,
    wait_until_idle,
)
from bench.federation.report import (
    RoundResult,
    Summary,
    ratio_table,
    rounds_table,
    summarise,
    summary_table,
    write_section,
)
from tests.fixtures.benchmark.data import FIXTURE_DIR

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench/RESULTS.md"
SUPERGRAPH = FIXTURE_DIR / "supergraph.apollo.graphql"
QUERY = (FIXTURE_DIR / "query.graphql").read_text()
NODE_PACKAGES = (
    "@apollo/gateway",
    "@apollo/server",
    "@graphql-hive/gateway",
    "@graphql-hive/router-runtime",
)
QUICK_GATEWAYS = "ours,apollo"
QUICK_CONNECTIONS = 10


@dataclass(frozen=True)
class Settings:
    gateways: list[Gateway]
    rounds: int
    warmup_seconds: float
    duration_seconds: float
    connections: int
    subgraph_check_seconds: float
    gateway_cpu: int | None
    load_cpu: int | None
    output: Path
    note: str
    command: str


def parse_settings(argv: list[str]) -> Settings:
    parser = argparse.ArgumentParser(prog="bench/federation/run", description=__doc__)
    parser.add_argument("--gateways", default=",".join(GATEWAYS), help="comma-separated keys")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds per gateway and round")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--subgraph-check", type=float, default=10.0, help="seconds")
    parser.add_argument("--gateway-cpu", type=int, default=0)
    parser.add_argument("--load-cpu", type=int, default=1, help="subgraphs, wrk and this process")
    parser.add_argument("--no-pin", action="store_true", help="no taskset (fewer than 2 CPUs)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="a line shown above the results")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a bounded check of the harness: 1 round of 1 s warm-up + 3 s, {QUICK_GATEWAYS} "
        f"and {QUICK_CONNECTIONS} connections unless --gateways/--connections are given",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.warmup, args.duration, args.subgraph_check = 1, 1.0, 3.0, 2.0
        given = " ".join(argv)
        if "--gateways" not in given:
            args.gateways = QUICK_GATEWAYS
        if "--connections" not in given:
            # Fewer requests left in flight between warm-up and window: a slow peer on a busy
            # machine drains them in seconds, not minutes.
            args.connections = QUICK_CONNECTIONS
    if args.rounds < 1 or min(args.warmup, args.duration, args.subgraph_check) < 1:
        parser.error("--rounds, --warmup, --duration and --subgraph-check must be at least 1")
    if args.connections < 1:
        parser.error("--connections must be at least 1")
    unknown = [key for key in args.gateways.split(",") if key not in GATEWAYS]
    if unknown:
        parser.error(f"unknown gateways {unknown}; known: {', '.join(GATEWAYS)}")
    pin = not args.no_pin and distinct_cpus_available(args.gateway_cpu, args.load_cpu)
    return Settings(
        gateways=[GATEWAYS[key] for key in args.gateways.split(",")],
        rounds=args.rounds,
        warmup_seconds=args.warmup,
        duration_seconds=args.duration,
        connections=args.connections,
        subgraph_check_seconds=args.subgraph_check,
        gateway_cpu=args.gateway_cpu if pin else None,
        load_cpu=args.load_cpu if pin else None,
        output=args.output,
        note=args.note,
        command=shlex.join(["bench/federation/run", *argv]),
    )


# --- subgraphs --------------------------------------------------------------------------------
def start_subgraphs(cpu: int | None) -> tuple[Started, dict[str, str]]:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - Started.stop closes it
    argv = pinned([sys.executable, "-m", "bench.federation.subgraphs"], cpu)
    started = start(argv, log, {**os.environ, "PYTHONPATH": str(ROOT)}, stdout_pipe=True)
    stdout = started.process.stdout
    assert stdout is not None
    ready, _, _ = select.select([stdout], [], [], 60)
    line = stdout.readline() if ready else b""
    if not line.startswith(b"{"):
        started.stop()
        raise RuntimeError(f"the subgraphs did not start: {line!r}\n{started.output()}")
    started.discard_stdout()
    urls: dict[str, str] = orjson.loads(line)
    return started, urls


def subgraph_requests(urls: dict[str, str]) -> int:
    counts: dict[str, int] = get_json(next(iter(urls.values())).replace("/graphql", "/stats"))
    return sum(counts.values())


def measure_subgraphs(
    urls: dict[str, str], settings: Settings, workdir: Path, subgraphs_pid: int
) -> str:
    """wrk straight at the subgraph request with the largest response seen."""
    heaviest: dict[str, Any] = get_json(next(iter(urls.values())).replace("/graphql", "/heaviest"))
    if not heaviest:
        return "not measured: no gateway sent a subgraph request"
    body_file = workdir / "subgraph-request.json"
    body_file.write_text(heaviest["request"])
    cpu_before = tree_cpu_seconds(subgraphs_pid)
    load = run_wrk(
        urls[heaviest["subgraph"]],
        body_file,
        seconds=settings.subgraph_check_seconds,
        connections=settings.connections,
        cpu=settings.load_cpu,
    )
    cpu_seconds = tree_cpu_seconds(subgraphs_pid) - cpu_before
    return (
        f"the heaviest subgraph request seen ({heaviest['subgraph']}, "
        f"{heaviest['response_bytes']:,} bytes answered) straight from wrk, "
        f"{settings.connections} connections, on the load CPU: "
        f"**{load.requests_per_second:,.0f} requests/s**, p50 {load.p50_ms:.2f} ms, "
        f"p99 {load.p99_ms:.2f} ms, {load.non_2xx + load.socket_errors} errors; "
        f"{1e6 * cpu_seconds / max(load.requests, 1):.0f} µs of subgraph CPU per request"
    )


# --- gateways ---------------------------------------------------------------------------------
def expected_data() -> bytes:
    from tests.fixtures.benchmark.oracle import build
    from tests.fixtures.differential.oracle import ask_oracle

    oracle = build((FIXTURE_DIR / "api.graphql").read_text())
    answer = asyncio.run(ask_oracle(oracle, QUERY))
    if "errors" in answer:
        raise RuntimeError(f"the oracle cannot answer the query: {answer['errors']}")
    return canonical(answer["data"])


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def answer_problem(url: str, expected: bytes) -> str | None:
    """Why the gateway's answer to the query is not correct, or None."""
    status, body = post(url, orjson.dumps({"query": QUERY}))
    if status != 200:
        return f"HTTP {status}"
    if "errors" in body:
        return f"errors: {orjson.dumps(body['errors']).decode()[:500]}"
    if canonical(body.get("data")) != expected:
        return "its data differs from the oracle's (and so from the other gateways')"
    return None


def run_round(
    gateway: Gateway,
    round_number: int,
    settings: Settings,
    urls: dict[str, str],
    expected: bytes,
    body_file: Path,
    subgraphs_pid: int,
) -> RoundResult:
    started, url = launch(gateway, SUPERGRAPH, urls, settings.gateway_cpu)
    try:
        problem = answer_problem(url, expected)
        if problem is not None:
            raise GatewayFailedToStart(f"wrong answer before timing: {problem}")
        with MemorySampler(started.pid) as memory:
            run_wrk(
                url,
                body_file,
                seconds=settings.warmup_seconds,
                connections=settings.connections,
                cpu=settings.load_cpu,
            )
            # wrk stopping leaves up to `connections` requests in the gateway, still being worked
            # on: let it finish them before the window opens.
            drains = [wait_until_idle(started.pid)]
            cpu_before, counted_before = tree_cpu_seconds(started.pid), subgraph_requests(urls)
            subgraphs_cpu_before = tree_cpu_seconds(subgraphs_pid)
            load: LoadResult = run_wrk(
                url,
                body_file,
                seconds=settings.duration_seconds,
                connections=settings.connections,
                cpu=settings.load_cpu,
            )
            subgraphs_cpu = tree_cpu_seconds(subgraphs_pid) - subgraphs_cpu_before
            # The requests in flight when wrk stopped (one per connection) still cost the
            # gateway CPU and subgraph fetches: count that work once it is done, and them.
            drains.append(wait_until_idle(started.pid))
            cpu_after, counted_after = tree_cpu_seconds(started.pid), subgraph_requests(urls)
        if started.process.poll() is not None:
            raise GatewayFailedToStart(f"exited during the run:\n{started.output()}")
        if None in drains:
            print("  warning: the gateway was still busy 30 s after a load run ended", flush=True)
        return RoundResult(
            gateway=gateway.key,
            round=round_number,
            load=load,
            issued_requests=load.requests + settings.connections,
            peak_rss_bytes=memory.peak_bytes,
            cpu_seconds=cpu_after - cpu_before,
            subgraph_requests=counted_after - counted_before,
            subgraphs_cpu_seconds=subgraphs_cpu,
        )
    finally:
        started.stop()


# --- machine ----------------------------------------------------------------------------------
def _output(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "?"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if (done.stdout or done.stderr)
        else "?"
    )


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "?",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    node_modules = ROOT / "tools/node/node_modules"
    packages = ", ".join(
        f"{name} {orjson.loads((node_modules / name / 'package.json').read_bytes())['version']}"
        for name in NODE_PACKAGES
        if (node_modules / name / "package.json").exists()
    )
    commit = _output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _output(["git", "-C", str(ROOT), "status", "--porcelain", "--", "router", "bench"])
    changes = " (uncommitted changes in router/ or bench/)" if dirty not in ("?", "") else ""
    return [
        f"- CPU: {model}, {os.cpu_count()} logical cores; memory {memory_kb / 2**20:.1f} GiB; "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Node {_output(['node', '--version'])}, "
        f"{_output(['wrk', '--version'])}",
        f"- {packages}",
        f"- git {commit}{changes}",
    ]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the run ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    settings = parse_settings(sys.argv[1:] if argv is None else argv)
    if settings.load_cpu is not None:
        os.sched_setaffinity(0, {settings.load_cpu})
    started_at = datetime.now(UTC)
    load_before = load_average()
    expected = expected_data()
    results: list[RoundResult] = []
    excluded: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="ehb-bench-federation-") as directory:
        workdir = Path(directory)
        body_file = workdir / "query.json"
        body_file.write_bytes(orjson.dumps({"query": QUERY}))
        subgraphs, urls = start_subgraphs(settings.load_cpu)
        try:
            for round_number in range(1, settings.rounds + 1):
                for gateway in settings.gateways:
                    if gateway.key in excluded:
                        continue
                    print(f"round {round_number}/{settings.rounds}: {gateway.label}", flush=True)
                    try:
                        result = run_round(
                            gateway,
                            round_number,
                            settings,
                            urls,
                            expected,
                            body_file,
                            subgraphs.pid,
                        )
                    except GatewayFailedToStart as failure:
                        excluded[gateway.key] = str(failure).strip()
                        print(f"  excluded: {excluded[gateway.key][:2000]}", flush=True)
                        continue
                    results.append(result)
                    print(
                        f"  {result.load.requests_per_second:,.0f} requests/s, "
                        f"p99 {result.load.p99_ms:.1f} ms, "
                        f"{result.cpu_ms_per_request:.2f} CPU ms/request",
                        flush=True,
                    )
            subgraph_line = measure_subgraphs(urls, settings, workdir, subgraphs.pid)
        finally:
            subgraphs.stop()
    summaries = [
        summarise(gateway, [r for r in results if r.gateway == gateway.key])
        for gateway in settings.gateways
        if gateway.key not in excluded
    ]
    section = render(settings, summaries, results, excluded, subgraph_line, started_at, load_before)
    print(section)
    write_section(settings.output, section)
    print(f"written to {settings.output}")
    return 0 if summaries and not excluded else 1


def one_line(text: str, limit: int = 600) -> str:
    """``text`` fit for a Markdown code span: one line, no backticks, at most ``limit`` chars."""
    return " ".join(text.split()).replace("`", "'")[:limit]


def render(
    settings: Settings,
    summaries: list[Summary],
    results: list[RoundResult],
    excluded: dict[str, str],
    subgraph_line: str,
    started_at: datetime,
    load_before: str,
) -> str:
    pinning = (
        f"each gateway alone on CPU {settings.gateway_cpu}; subgraphs, wrk and the harness on "
        f"CPU {settings.load_cpu} (taskset)"
        if settings.gateway_cpu is not None
        else "not pinned"
    )
    lines = ["## Federation gateway benchmark (bench/federation)", ""]
    if settings.note:
        lines += [f"> **{settings.note}**", ""]
    lines += [
        f"Command: `{settings.command}` — {started_at:%Y-%m-%d %H:%M} UTC; "
        f"load average before {load_before}, after {load_average()}.",
        "",
        *machine(),
        "",
        f"{settings.rounds} round(s), gateways interleaved; per gateway and round "
        f"{settings.warmup_seconds:g} s warm-up then {settings.duration_seconds:g} s measured, "
        f"{settings.connections} connections (wrk, 1 thread, {REQUEST_TIMEOUT_SECONDS} s request "
        f"timeout); {pinning}. Figures are medians "
        "over rounds; errors are summed. Workload: tests/fixtures/benchmark (shippingEstimate "
        "computed from the representation's price and weight, never null).",
        "",
        summary_table(summaries),
        "",
    ]
    ratios = ratio_table(summaries)
    if ratios:
        lines += ["Ours against each peer (medians):", "", ratios, ""]
    lines += [f"Subgraphs: {subgraph_line}.", ""]
    lines += [
        "Before timing, every gateway answered the query with HTTP 200, no `errors` and the "
        "oracle's `data` (canonical JSON)" + (", except:" if excluded else "."),
    ]
    lines += [
        f"- {GATEWAYS[key].label}: excluded: `{one_line(reason)}`"
        for key, reason in excluded.items()
    ]
    lines += ["", "Deduplication per gateway:", ""]
    lines += [f"- {s.gateway.label}: {s.gateway.deduplication}" for s in summaries]
    lines += ["", "<details><summary>Every round</summary>", ""]
    lines += [rounds_table(results, GATEWAYS), "", "</details>", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
