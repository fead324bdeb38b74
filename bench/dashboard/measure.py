"""The dashboard benchmark: the heaviest dashboard query (`dashboard.graphql`) through the router
at growing list sizes, one request at a time. Per size: end-to-end latency, the router's own
overhead (its `Server-Timing` total minus the time subgraph fetches were in flight), and the SQL
statements and requests each subgraph served per dashboard request, which must not grow with
the list sizes (no N+1). Writes RESULTS.md (and `--json`). See README.md beside this file.

    python -m bench.dashboard.measure [--sizes 10,20,50,100] [--requests 200] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.dashboard.platform import DashboardPlatform, start_dashboard_platform
from bench.dashboard.seed import DashboardSeeder
from bench.dashboard.stats import percentile, router_overhead_ms, spread
from bench.federation.processes import distinct_cpus_available
from subgraphs import SUBGRAPH_NAMES
from subgraphs.kernel.demo import demo_user_id
from tests.integration.platform.client import GraphQLClient

ROOT = Path(__file__).resolve().parents[2]
QUERY = (Path(__file__).parent / "dashboard.graphql").read_text()
VIEWER = demo_user_id("erin")  # the seeded administrator
OTHER_SELLER = demo_user_id("carol")  # a seeded shop
SUPPORT_AGENT = demo_user_id("dave")
QUICK_SIZES = (3, 12)
SERVICES_FIELD = "  services { name status latencyMs checkedAt }\n"
PROBE_SERVICES = "{ services { name status } }"


@dataclass
class SizeResult:
    size: int
    lists: dict[str, int]
    latency_ms: list[float] = field(default_factory=list)
    router_total_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)
    statements: dict[str, list[int]] = field(default_factory=dict)
    fetches: dict[str, list[int]] = field(default_factory=dict)
    subgraph_ms: dict[str, list[float]] = field(default_factory=dict)
    router_cpu_ms: float | None = None  # the router process's CPU per measured request

    def as_json(self) -> dict[str, Any]:
        def summary(samples: list[float]) -> dict[str, float] | None:
            if not samples:
                return None
            return {"p50": percentile(samples, 0.5), "p99": percentile(samples, 0.99)}

        return {
            "size": self.size,
            "lists": self.lists,
            "requests": len(self.latency_ms),
            "latency_ms": summary(self.latency_ms),
            "router_total_ms": summary(self.router_total_ms),
            "router_overhead_ms": summary(self.overhead_ms),
            "router_cpu_ms_per_request": self.router_cpu_ms,
            "statements": {name: sorted(set(v)) for name, v in self.statements.items()},
            "fetches": {name: sorted(set(v)) for name, v in self.fetches.items()},
            "subgraph_ms": {name: summary(v) for name, v in self.subgraph_ms.items()},
        }


def list_sizes(data: dict[str, Any]) -> dict[str, int]:
    """How many items each list of the dashboard's answer holds."""
    me = data["me"]
    orders = [edge["node"] for edge in me["orders"]["edges"]]
    wallets = me["wallets"] or []
    return {
        "orders": len(orders),
        "order lines": sum(len(order["lines"]) for order in orders),
        "products": len(me["seller"]["products"]["edges"]) if me["seller"] else 0,
        "transactions": sum(len(w["transactions"]["edges"]) for w in wallets),
        "tickets": len(me["tickets"]["edges"]),
        "videos": len(me["videos"]["edges"]),
        "notifications": len(data["notifications"]["edges"]),
        "alerts": len(data["alerts"]["edges"]),
        "services": len(data.get("services") or []),
    }


@dataclass(frozen=True)
class Target:
    """Where and what the client asks."""

    platform: DashboardPlatform
    headers: dict[str, str]
    query: str


async def dashboard_request(
    session: aiohttp.ClientSession, target: Target, size: int
) -> tuple[float, dict[str, Any], str | None]:
    """One dashboard request: (latency ms, data, the router's Server-Timing header)."""
    platform, headers = target.platform, target.headers
    body = orjson.dumps({"query": target.query, "variables": {"first": size}})
    started = time.perf_counter()
    async with session.post(platform.router_url, data=body, headers=headers) as response:
        payload = await response.read()
        elapsed_ms = (time.perf_counter() - started) * 1000
        timing = response.headers.get("Server-Timing")
        status = response.status
    answer = orjson.loads(payload)
    if status != 200 or answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"the dashboard query failed (HTTP {status}): {payload[:2000]!r}")
    data: dict[str, Any] = answer["data"]
    return elapsed_ms, data, timing


async def measure_size(
    session: aiohttp.ClientSession, target: Target, size: int, requests: int, warmup: int
) -> SizeResult:
    platform = target.platform
    _, data, _ = await dashboard_request(session, target, size)
    result = SizeResult(size=size, lists=list_sizes(data))
    for _ in range(warmup):
        await dashboard_request(session, target, size)
    cpu_before = process_cpu_seconds(platform.router.pid)
    for _ in range(requests):
        mark = platform.statements.mark()
        elapsed_ms, _, timing = await dashboard_request(session, target, size)
        result.latency_ms.append(elapsed_ms)
        router = router_overhead_ms(timing)
        if router is not None:
            result.router_total_ms.append(router[0])
            result.overhead_ms.append(router[1])
        for name, served in platform.statements.since(mark).items():
            result.statements.setdefault(name, []).append(sum(s.statements for s in served))
            result.fetches.setdefault(name, []).append(len(served))
            result.subgraph_ms.setdefault(name, []).append(sum(s.milliseconds for s in served))
    cpu_after = process_cpu_seconds(platform.router.pid)
    if cpu_before is not None and cpu_after is not None and requests:
        result.router_cpu_ms = (cpu_after - cpu_before) * 1000 / requests
    return result


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` so far (Linux; None elsewhere)."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def viewer_headers(platform: DashboardPlatform) -> dict[str, str]:
    """The dashboard viewer's request headers (a bearer token good for the whole run)."""
    headers = platform.mint.bearer(VIEWER, "user", "admin", "seller", lifetime=6 * 3600)
    headers["Content-Type"] = "application/json"
    return headers


def dashboard_seeder(
    platform: DashboardPlatform, session: aiohttp.ClientSession, headers: dict[str, str]
) -> DashboardSeeder:
    """The seeder acting as the viewer (with `headers`) and as the demo support agent."""
    agent = platform.mint.bearer(SUPPORT_AGENT, "user", "support_agent", lifetime=6 * 3600)
    return DashboardSeeder(
        GraphQLClient(session, platform.router_url, headers),
        GraphQLClient(session, platform.router_url, agent),
        VIEWER,
        OTHER_SELLER,
    )


@dataclass(frozen=True)
class Pinning:
    """The router alone on one CPU, the subgraphs and the client (this process) on another,
    as the federation benchmark pins each gateway: the router's overhead is then its own work,
    not time the subgraphs took its CPU from it."""

    router_cpu: int
    load_cpu: int

    def describe(self) -> str:
        return (
            f"the router alone on CPU {self.router_cpu}; the subgraphs and the client on CPU "
            f"{self.load_cpu} (taskset)"
        )


async def run(
    sizes: list[int],
    requests: int,
    warmup: int,
    query: str,
    router_profile: Path | None = None,
    pinning: Pinning | None = None,
) -> list[SizeResult]:
    with tempfile.TemporaryDirectory(prefix="ehb-dashboard-") as workdir:
        router_cpu = None if pinning is None else pinning.router_cpu
        platform = await start_dashboard_platform(Path(workdir), router_profile, router_cpu)
        try:
            headers = viewer_headers(platform)
            results: list[SizeResult] = []
            async with aiohttp.ClientSession() as session:
                seeder = dashboard_seeder(platform, session, headers)
                # observability's first background probe ran before the router was up: its
                # alert is resolved now, not during some measured request (other statements).
                await seeder.client.query(PROBE_SERVICES)
                await seeder.prepare()
                for size in sizes:
                    started = time.monotonic()
                    await seeder.grow_to(size)
                    print(f"size {size}: seeded in {time.monotonic() - started:.1f} s", flush=True)
                    target = Target(platform, headers, query)
                    result = await measure_size(session, target, size, requests, warmup)
                    print(orjson.dumps(result.as_json()).decode(), flush=True)
                    results.append(result)
        finally:
            await platform.stop()
    return results


# --- report -----------------------------------------------------------------------------------
def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def revision() -> str:
    finished = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return finished.stdout.strip() or "unknown"


def growing(results: list[SizeResult]) -> list[str]:
    """The subgraphs whose statements per request differ between sizes (an N+1 somewhere)."""
    grown = []
    for name in SUBGRAPH_NAMES:
        seen = {tuple(sorted(set(r.statements.get(name, [])))) for r in results}
        if len(seen) > 1:
            grown.append(name)
    return grown


def _ms(samples: list[float], fraction: float) -> str:
    return f"{percentile(samples, fraction):.2f}" if samples else "n/a"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(
    results: list[SizeResult],
    command: str,
    requests: int,
    load_before: str,
    pinning: Pinning | None,
) -> str:
    placement = (
        "not pinned: the router shares both CPUs with the subgraphs and the client"
        if pinning is None
        else pinning.describe()
    )
    lines = [
        "# Dashboard benchmark: results",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, revision {revision()}  ",
        f"Load average before the run {load_before}, after {load_average()}: latencies stretch "
        "when the machine is busy; the statement counts do not depend on load.",
        "",
        f"`bench/dashboard/dashboard.graphql` through the router, one request at a time, "
        f"{requests} measured requests per size, `$first` = size; {placement}.",
        "",
        "## Latency (ms)",
        "",
        "Router overhead: its `Server-Timing` total minus the time at least one subgraph fetch "
        "was in flight (wall time, so it stretches when the machine is busy). Router CPU: the "
        "router process's user + system time over the measured requests, per request (all its "
        "work, fetches included; clock ticks of 10 ms).",
        "",
        "| size | end-to-end p50 | p99 | router total p50 | router overhead p50 | p99 "
        "| router CPU per request |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        cpu = f"{r.router_cpu_ms:.2f}" if r.router_cpu_ms is not None else "n/a"
        lines.append(
            f"| {r.size} | {_ms(r.latency_ms, 0.5)} | {_ms(r.latency_ms, 0.99)} "
            f"| {_ms(r.router_total_ms, 0.5)} | {_ms(r.overhead_ms, 0.5)} "
            f"| {_ms(r.overhead_ms, 0.99)} | {cpu} |"
        )
    if not any(r.overhead_ms for r in results):
        lines += ["", "The router sent no `Server-Timing` header: no overhead figures."]
    names = list(SUBGRAPH_NAMES)
    lines += [
        "",
        "## SQL statements per dashboard request, per subgraph",
        "",
        "| size | " + " | ".join(names) + " | total |",
        "| ---: | " + " | ".join("---:" for _ in names) + " | ---: |",
    ]
    for r in results:
        totals = [sum(per) for per in zip(*(r.statements[n] for n in names), strict=True)]
        cells = [spread(r.statements.get(n, [])) for n in names]
        lines.append(f"| {r.size} | " + " | ".join(cells) + f" | {spread(totals)} |")
    lines += [
        "",
        "## Subgraph requests per dashboard request",
        "",
        "| size | " + " | ".join(names) + " |",
        "| ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    for r in results:
        cells = [spread(r.fetches.get(n, [])) for n in names]
        lines.append(f"| {r.size} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Time in each subgraph per dashboard request (ms, p50)",
        "",
        "From a request's arrival to its response's headers, summed over the subgraph's "
        "requests; the six share one event loop, so a subgraph's time includes waiting for "
        "the others' work.",
        "",
        "| size | " + " | ".join(names) + " |",
        "| ---: | " + " | ".join("---:" for _ in names) + " |",
    ]
    for r in results:
        cells = [_ms(r.subgraph_ms.get(n, []), 0.5) for n in names]
        lines.append(f"| {r.size} | " + " | ".join(cells) + " |")
    keys = list(results[0].lists) if results else []
    lines += [
        "",
        "## Items in the answer",
        "",
        "| size | " + " | ".join(keys) + " |",
        "| ---: | " + " | ".join("---:" for _ in keys) + " |",
    ]
    for r in results:
        lines.append(f"| {r.size} | " + " | ".join(str(r.lists[k]) for k in keys) + " |")
    grown = growing(results)
    verdict = (
        f"**Statements per request grow with list sizes in: {', '.join(grown)}** (an N+1)."
        if grown
        else "Statements per request are the same at every size in every subgraph (no N+1)."
    )
    lines += ["", verdict, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="10,20,50,100",
        help="list sizes (<= 100, the page max; 20 is the subgraphs' default page)",
    )
    parser.add_argument("--requests", type=int, default=200, help="measured requests per size")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests per size")
    parser.add_argument("--quick", action="store_true", help="sizes 3,12, 20 requests (CI)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "RESULTS.md")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--without-services",
        action="store_true",
        help="leave out `services` (it probes every service live, the router's /health too)",
    )
    parser.add_argument(
        "--router-profile",
        type=Path,
        default=None,
        help="run the router under cProfile, writing pstats here (inflates its timings)",
    )
    parser.add_argument("--router-cpu", type=int, default=1)
    parser.add_argument("--load-cpu", type=int, default=0, help="the subgraphs and the client")
    parser.add_argument("--no-pin", action="store_true", help="no taskset (fewer than 2 CPUs)")
    args = parser.parse_args(argv)
    sizes = list(QUICK_SIZES) if args.quick else [int(s) for s in args.sizes.split(",")]
    requests, warmup = (20, 5) if args.quick else (args.requests, args.warmup)
    if sizes != sorted(sizes) or not all(1 <= size <= 100 for size in sizes):
        parser.error("--sizes must grow, each between 1 and 100 (the largest page)")
    profile = args.router_profile.resolve() if args.router_profile else None
    # SIGTERM unwinds like Ctrl-C, so the router process is stopped too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    query = QUERY.replace(SERVICES_FIELD, "") if args.without_services else QUERY
    pinning = None
    if not args.no_pin and distinct_cpus_available(args.router_cpu, args.load_cpu):
        pinning = Pinning(args.router_cpu, args.load_cpu)
        os.sched_setaffinity(0, {args.load_cpu})  # the subgraphs run in this process
    load_before = load_average()
    results = asyncio.run(run(sizes, requests, warmup, query, profile, pinning))
    recorded = [a for a in (argv if argv is not None else sys.argv[1:])]
    for flag in ("--output", "--json", "--router-profile"):
        if flag in recorded:
            index = recorded.index(flag)
            del recorded[index : index + 2]
    command = shlex.join(["bench/dashboard/run", *recorded])
    args.output.write_text(report(results, command, requests, load_before, pinning))
    if args.json is not None:
        args.json.write_bytes(orjson.dumps([r.as_json() for r in results]))
    print(f"wrote {args.output}")
    return 1 if growing(results) else 0


if __name__ == "__main__":
    sys.exit(main())
