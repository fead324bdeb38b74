"""The subscriptions benchmark behind ``bench/subscriptions/run`` (see README.md beside it).

Three processes: the test graph's subgraphs and JWKS (``bench.subscriptions.graph``), the
router (``ehb router``, the production launcher, run by ``bench.subscriptions.router_process``
to hear its GC pauses; a process of its own, so its memory is its own), and this one, which
holds every subscriber (graphql-transport-ws over aiohttp, one task per socket) and publishes.

An event is published through the router (the ``publishNotification`` mutation: router ->
feed subgraph -> broker -> the feed's upstream subscription -> router fan-out -> every client
socket). Its latency for one subscriber is from just before the mutation is sent to when this
process reads the ``next`` message on that subscriber's socket (one clock: ``perf_counter``).
Events are sent one at a time: the next one once every subscriber has the previous one (or
after ``--event-timeout``), so a figure is the delivery of one event, not a queue's backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from tests.fixtures.benchmark.loopback import unused_loopback_port

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "tests/fixtures/subscriptions/supergraph.graphql"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PROTOCOL = "graphql-transport-ws"
TOPIC = "bench"
SELECTIONS = {
    # Fields of the feed subgraph only: the router shapes each event, no entity fetch.
    "plain": "id message",
    # Order.label lives in shop: one entity fetch per event per subscriber.
    "order": "id message order { id label }",
}
PUBLISH = (
    "mutation Publish($id: ID!, $message: String!, $order: ID) "
    f'{{ publishNotification(topic: "{TOPIC}", id: $id, message: $message, orderId: $order) }}'
)
PAGE = os.sysconf("SC_PAGE_SIZE")


# --- processes --------------------------------------------------------------------------------
def raise_file_limit(needed: int) -> int:
    """Soft NOFILE limit up to the hard one (inherited by the router); the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(needed, soft)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        raise SystemExit(
            f"bench/subscriptions: {needed} file descriptors needed, the hard limit is {hard} "
            "(raise it, e.g. ulimit -Hn, or use fewer --subscribers)"
        )
    return soft


def tree_pids(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                pids.extend(tree_pids(int(child)))
    return pids


def rss_bytes(pid: int) -> int:
    """Resident memory of the process and its descendants (from /proc)."""
    total = 0
    for each in tree_pids(pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{each}/statm").read_text().split()[1]) * PAGE
    return total


def cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in tree_pids(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@dataclass
class Servers:
    graph: subprocess.Popen[bytes]
    router: subprocess.Popen[bytes]
    router_url: str
    token: str
    log: Path
    stats_url: str
    gc_path: Path
    tracemalloc: Path | None = None

    async def gc_pauses(self, label: str = "") -> dict[str, list[float]]:
        """The router's GC pauses so far (it writes them on SIGUSR1, and with
        ``--router-tracemalloc`` what was allocated since the last signal, under ``label``)."""
        self.gc_path.unlink(missing_ok=True)
        if self.tracemalloc is not None:
            Path(f"{self.tracemalloc}.label").write_text(label)  # noqa: ASYNC240 - tiny, untimed
        self.router.send_signal(signal.SIGUSR1)
        for _ in range(6000):  # a tracemalloc snapshot of a big heap takes seconds
            if self.gc_path.exists():
                with contextlib.suppress(orjson.JSONDecodeError):
                    pauses: dict[str, list[float]] = orjson.loads(self.gc_path.read_bytes())
                    return pauses
            await asyncio.sleep(0.01)
        return {}

    def stop(self) -> None:
        for process in (self.router, self.graph):
            if process.poll() is None:
                process.terminate()
        for process in (self.router, self.graph):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


async def start_servers(
    workdir: Path, profile: Path | None, gc_threshold: str | None, tracemalloc: Path | None
) -> Servers:
    graph = subprocess.Popen(  # noqa: ASYNC220 - once, before anything is timed
        [sys.executable, "-m", "bench.subscriptions.graph"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(workdir / "graph.log").open("wb"),
    )
    assert graph.stdout is not None
    line = await asyncio.to_thread(graph.stdout.readline)
    if not line:
        raise SystemExit(f"the subgraphs did not start: see {workdir / 'graph.log'}")
    ready = orjson.loads(line)
    port = unused_loopback_port()
    log = workdir / "router.log"
    env = {
        **os.environ,
        "EHB_ROUTER_JWKS_URL": ready["jwks"],
        "EHB_ROUTER_SHUTDOWN_GRACE": "5",
        "EHB_BENCH_ROUTER_STATS": str(workdir / "router-gc.json"),
    }
    if tracemalloc is not None:
        tracemalloc.unlink(missing_ok=True)  # noqa: ASYNC240 - before anything runs
        env["EHB_BENCH_ROUTER_TRACEMALLOC"] = str(tracemalloc)
    if gc_threshold:
        env["EHB_BENCH_ROUTER_GC_THRESHOLD"] = gc_threshold
    if profile is not None:
        env["EHB_BENCH_ROUTER_PROFILE"] = str(ROOT / profile)  # relative to where run is
    router = subprocess.Popen(  # noqa: ASYNC220 - once, before anything is timed
        [
            sys.executable,
            "-m",
            "bench.subscriptions.router_process",  # ehb router, telling its GC pauses
            "router",
            "--supergraph",
            str(SUPERGRAPH),
            "--port",
            str(port),
            "--subgraph-url",
            f"feed={ready['feed']}",
            "--subgraph-url",
            f"shop={ready['shop']}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    servers = Servers(
        graph,
        router,
        f"http://127.0.0.1:{port}/graphql",
        ready["token"],
        log,
        ready["stats"],
        workdir / "router-gc.json",
        tracemalloc,
    )
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + 30
        while True:
            if router.poll() is not None:
                servers.stop()
                raise SystemExit(f"the router exited: see {log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status < 500:
                        break
            if time.monotonic() > deadline:
                servers.stop()
                raise SystemExit(f"the router did not start in 30 s: see {log}")
            await asyncio.sleep(0.1)
        # One socket first, so the router has the JWKS before the sockets of a phase arrive
        # together (while its first JWKS fetch is in flight it refuses other tokens: 4500).
        ws = await session.ws_connect(servers.router_url, protocols=(PROTOCOL,))
        await ws.send_bytes(
            orjson.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {servers.token}"}}
            )
        )
        ack = await ws.receive(timeout=30)
        await ws.close()
        if ack.type != aiohttp.WSMsgType.TEXT:
            servers.stop()
            raise SystemExit(f"the router refused the benchmark's token ({ack.data}): see {log}")
    return servers


# --- subscribers ------------------------------------------------------------------------------
@dataclass
class Deliveries:
    """Receive times per event id, and who has heard any warm-up event."""

    expected: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    complete: dict[str, asyncio.Event] = field(default_factory=dict)
    warm: set[int] = field(default_factory=set)
    warm_done: asyncio.Event = field(default_factory=asyncio.Event)
    errors: list[Any] = field(default_factory=list)

    def expect(self, event_id: str) -> asyncio.Event:
        self.times[event_id] = []
        done = self.complete[event_id] = asyncio.Event()
        return done

    def heard(self, subscriber: int, event_id: str, at: float) -> None:
        if event_id.startswith("w"):
            self.warm.add(subscriber)
            if len(self.warm) >= self.expected:
                self.warm_done.set()
            return
        times = self.times.get(event_id)
        if times is None:
            return
        times.append(at)
        if len(times) >= self.expected:
            self.complete[event_id].set()


async def subscriber(
    number: int,
    session: aiohttp.ClientSession,
    url: str,
    token: str,
    query: str,
    deliveries: Deliveries,
    opening: asyncio.Semaphore,
    subscribed: asyncio.Queue[BaseException | None],
) -> None:
    """One client socket: init with the token, subscribe, then read until closed."""
    try:
        async with opening:
            ws = await session.ws_connect(url, protocols=(PROTOCOL,), autoping=True, heartbeat=None)
            await ws.send_bytes(
                orjson.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            ack = await ws.receive(timeout=60)
            if ack.type != aiohttp.WSMsgType.TEXT or orjson.loads(ack.data)["type"] != (
                "connection_ack"
            ):
                raise RuntimeError(f"no connection_ack: {ack.type} {ack.data!r}")
            await ws.send_bytes(
                orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})
            )
    except BaseException as error:
        await subscribed.put(error)
        raise
    await subscribed.put(None)
    clock = time.perf_counter
    try:
        async for message in ws:
            at = clock()
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            decoded = orjson.loads(message.data)
            kind = decoded["type"]
            if kind == "next":
                data = decoded["payload"].get("data")
                if data is None:
                    deliveries.errors.append(decoded["payload"])
                    continue
                deliveries.heard(number, data["notificationAdded"]["id"], at)
            elif kind == "ping":
                await ws.send_bytes(b'{"type":"pong"}')
            elif kind in ("error", "complete"):
                deliveries.errors.append(decoded)
    finally:
        await ws.close()


@dataclass
class Phase:
    name: str
    subscribers: int
    events: int
    selection: str
    open_seconds: float = 0.0
    warm_seconds: float = 0.0
    rss_before: int = 0
    rss_subscribed: int = 0
    rss_after: int = 0
    client_rss_delta: int = 0
    router_cpu: float = 0.0
    client_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    fanout: list[float] = field(default_factory=list)
    publish: list[float] = field(default_factory=list)
    delivered: int = 0
    failed_to_open: int = 0
    first_failure: str = ""
    errors: list[Any] = field(default_factory=list)
    upstream: dict[str, int] = field(default_factory=dict)
    gc: dict[str, list[float]] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return self.subscribers * self.events

    @property
    def per_subscriber(self) -> float:
        return (self.rss_subscribed - self.rss_before) / max(1, self.subscribers)


def client_rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


async def run_phase(
    servers: Servers,
    phase: Phase,
    *,
    concurrency: int,
    event_timeout: float,
    gap: float,
) -> Phase:
    ws_url = servers.router_url.replace("http://", "ws://")
    fields = SELECTIONS[phase.selection]
    query = f'subscription {{ notificationAdded(topic: "{TOPIC}") {{ {fields} }} }}'
    deliveries = Deliveries(expected=phase.subscribers)
    pid = servers.router.pid
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with (
        aiohttp.ClientSession(connector=connector) as sockets,
        aiohttp.ClientSession() as publisher,
    ):

        async def publish(event_id: str) -> None:
            async with publisher.post(
                servers.router_url,
                json={
                    "query": PUBLISH,
                    "variables": {"id": event_id, "message": f"event {event_id}", "order": "o1"},
                },
            ) as response:
                body = await response.json(loads=orjson.loads)
                if response.status != 200 or body.get("errors"):
                    raise RuntimeError(f"publish failed: {response.status} {body}")

        async def stats() -> dict[str, int]:
            async with publisher.get(servers.stats_url) as response:
                counted: dict[str, int] = await response.json(loads=orjson.loads)
                return counted

        await publish("w-ready")  # the mutation's plan is cached before anything is timed
        await servers.gc_pauses()
        phase.rss_before = rss_bytes(pid)
        client_before = client_rss()
        opening = asyncio.Semaphore(concurrency)
        subscribed: asyncio.Queue[BaseException | None] = asyncio.Queue()
        started = time.perf_counter()
        tasks = [
            asyncio.create_task(
                subscriber(
                    n, sockets, ws_url, servers.token, query, deliveries, opening, subscribed
                )
            )
            for n in range(phase.subscribers)
        ]
        for _ in range(phase.subscribers):
            outcome = await subscribed.get()
            if outcome is not None:
                phase.failed_to_open += 1
                if not phase.first_failure:
                    phase.first_failure = f"{type(outcome).__name__}: {outcome}"
        phase.open_seconds = time.perf_counter() - started
        opened = phase.subscribers - phase.failed_to_open
        deliveries.expected = opened
        print(
            f"  {phase.name}: {opened}/{phase.subscribers} sockets subscribed in "
            f"{phase.open_seconds:.1f} s",
            flush=True,
        )

        # Subscribed means heard an event: warm-up events until every socket has one.
        started = time.perf_counter()
        warm = 0
        while not deliveries.warm_done.is_set() and opened:
            warm += 1
            await publish(f"w{warm}")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2.0):
                    await deliveries.warm_done.wait()
            if time.perf_counter() - started > 300:
                print(f"  {len(deliveries.warm)}/{opened} heard a warm-up event in 300 s")
                deliveries.expected = len(deliveries.warm)
                break
        phase.warm_seconds = time.perf_counter() - started
        await asyncio.sleep(max(gap, 0.2))  # late warm-up copies drain
        phase.rss_subscribed = rss_bytes(pid)
        await servers.gc_pauses(
            f"{phase.name}, {phase.selection}: grown while {opened} sockets opened and subscribed"
        )
        phase.client_rss_delta = client_rss() - client_before

        await stats()  # resets the shop request count
        gc_before = await servers.gc_pauses("(between subscribing and the events)")
        router_cpu = cpu_seconds(pid)
        client_cpu = time.process_time()
        for number in range(phase.events):
            event_id = f"e{number}"
            done = deliveries.expect(event_id)
            sent = time.perf_counter()
            await publish(event_id)
            phase.publish.append(time.perf_counter() - sent)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(event_timeout):
                    await done.wait()
            times = deliveries.times[event_id]
            phase.latencies.extend(t - sent for t in times)
            if times:
                phase.fanout.append(max(times) - sent)
            if gap:
                await asyncio.sleep(gap)
        phase.router_cpu = cpu_seconds(pid) - router_cpu
        phase.client_cpu = time.process_time() - client_cpu
        phase.upstream = await stats()
        gc_after = await servers.gc_pauses(
            f"{phase.name}, {phase.selection}: grown during {phase.events} events"
        )
        phase.gc = {g: p[len(gc_before.get(g, ())) :] for g, p in gc_after.items()}
        phase.delivered = len(phase.latencies)
        phase.rss_after = rss_bytes(pid)
        phase.errors = deliveries.errors[:5]

        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return phase


# --- report -----------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def mib(count: float) -> str:
    return f"{count / 2**20:.1f}"


def summary(phase: Phase) -> dict[str, Any]:
    return {
        "phase": phase.name,
        "subscribers": phase.subscribers,
        "selection": phase.selection,
        "events": phase.events,
        "delivered": phase.delivered,
        "expected": phase.expected,
        "p50_ms": phase.latencies and percentile(phase.latencies, 0.5) * 1000,
        "p99_ms": phase.latencies and percentile(phase.latencies, 0.99) * 1000,
        "max_ms": phase.latencies and max(phase.latencies) * 1000,
        "fanout_p50_ms": phase.fanout and percentile(phase.fanout, 0.5) * 1000,
        "publish_p50_ms": phase.publish and percentile(phase.publish, 0.5) * 1000,
        "router_rss_before_mib": phase.rss_before / 2**20,
        "router_rss_subscribed_mib": phase.rss_subscribed / 2**20,
        "router_kib_per_subscriber": phase.per_subscriber / 1024,
        "router_cpu_ms_per_delivery": phase.router_cpu * 1000 / max(1, phase.delivered),
        "client_cpu_ms_per_delivery": phase.client_cpu * 1000 / max(1, phase.delivered),
        "failed_to_open": phase.failed_to_open,
        **phase.upstream,
        "router_gc": gc_summary(phase.gc),
        "last_delivery_per_event_ms": [round(f * 1000, 1) for f in phase.fanout],
    }


def gc_summary(pauses: dict[str, list[float]]) -> str:
    """``gen2: 3 collections, 410 ms, longest 150 ms; ...`` for the generations that ran."""
    parts = [
        f"{generation}: {len(each)} x, {sum(each) * 1000:.0f} ms, longest {max(each) * 1000:.0f} ms"
        for generation, each in sorted(pauses.items())
        if each
    ]
    return "; ".join(parts) or "none"


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.1f} GiB RAM"
    return f"{model}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def markdown(phases: list[Phase], command: str, started: datetime, uvicorn_ws: str) -> str:
    import aiohttp as client
    import uvicorn

    lines = [
        "# Subscriptions through the router: results",
        "",
        f"- Command: `{command}`",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()} (shared: other work ran on it at the same time)",
        f"- Python {platform.python_version()}; router served by uvicorn {uvicorn.__version__} "
        f"({uvicorn_ws}, websockets {version('websockets')}); client aiohttp {client.__version__}",
        "- Path: `publishNotification` mutation through the router -> feed subgraph -> broker -> "
        "the feed's upstream subscription (one, shared by every subscriber) -> router: shape per "
        "subscriber -> graphql-transport-ws `next` on each client socket. See README.md.",
        "",
        "| phase | subscribers | selection | events | delivered / expected | p50 ms | p99 ms "
        "| max ms | last delivery of an event, p50 ms | mutation answered, p50 ms "
        "| router CPU ms per delivery |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for phase in phases:
        lines.append(
            f"| {phase.name} | {phase.subscribers - phase.failed_to_open} | {phase.selection} "
            f"| {phase.events} | {phase.delivered} / {phase.expected} "
            f"| {ms(percentile(phase.latencies, 0.5))} | {ms(percentile(phase.latencies, 0.99))} "
            f"| {ms(max(phase.latencies, default=float('nan')))} "
            f"| {ms(percentile(phase.fanout, 0.5))} | {ms(percentile(phase.publish, 0.5))} "
            f"| {phase.router_cpu * 1000 / max(1, phase.delivered):.3f} |"
        )
    lines += [
        "",
        "| phase | sockets opened in s | router RSS before MiB | subscribed MiB | after events MiB "
        "| router memory per subscriber KiB | client memory per socket KiB "
        "| upstream sockets to feed | shop requests during the events |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    # Only the first many-subscribers phase grows a fresh heap; later ones reuse it.
    measured = next((p for p in phases if p.name == "many subscribers"), None)
    for phase in phases:
        clean = phase is measured or (
            measured is not None and phases.index(phase) < phases.index(measured)
        )
        client_kib = phase.client_rss_delta / max(1, phase.subscribers) / 1024
        lines.append(
            f"| {phase.name} | {phase.open_seconds:.1f} | {mib(phase.rss_before)} "
            f"| {mib(phase.rss_subscribed)} | {mib(phase.rss_after)} "
            f"| {f'{phase.per_subscriber / 1024:.1f}' if clean else '(heap reused)'} "
            f"| {f'{client_kib:.1f}' if clean else '-'} "
            f"| {phase.upstream.get('feed_websockets_open', '?')} "
            f"| {phase.upstream.get('shop_requests', '?')} |"
        )
    lines += [
        "",
        "Router garbage-collector pauses during the timed events (collections, total, longest):",
        "",
        *(f"- {p.name} ({p.selection}): {gc_summary(p.gc)}" for p in phases),
    ]
    notes = []
    for phase in phases:
        if phase.failed_to_open:
            notes.append(
                f"- {phase.name}: {phase.failed_to_open} sockets failed to open; first: "
                f"{phase.first_failure}"
            )
        for error in phase.errors:
            notes.append(f"- {phase.name}: unexpected message {orjson.dumps(error).decode()}")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def uvicorn_websocket_implementation() -> str:
    """The WebSocket protocol class uvicorn's default ``ws="auto"`` picks here."""
    import uvicorn.config

    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    config = uvicorn.config.Config(app=app)
    config.load()
    protocol = config.ws_protocol_class
    return f"ws={config.ws}: {protocol.__module__ if protocol else 'none'}"


@contextlib.contextmanager
def servers_running(
    workdir: Path, profile: Path | None, gc_threshold: str | None, tracemalloc: Path | None
) -> Iterator[Servers]:
    servers = asyncio.run(start_servers(workdir, profile, gc_threshold, tracemalloc))
    try:
        yield servers
    finally:
        servers.stop()


def recorded(argv: list[str]) -> list[str]:
    """The arguments without those that only say where things are written."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--output", "--profile", "--router-tracemalloc"):
            skip = True
        elif not arg.startswith(("--output=", "--profile=", "--router-tracemalloc=")):
            kept.append(arg)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/subscriptions/run", description=__doc__)
    parser.add_argument("--subscribers", type=int, default=5000, help="the many-subscribers phase")
    parser.add_argument("--events", type=int, default=20, help="events at many subscribers")
    parser.add_argument("--low-subscribers", type=int, default=10)
    parser.add_argument("--low-events", type=int, default=200)
    parser.add_argument(
        "--selection",
        choices=sorted(SELECTIONS),
        action="append",
        help="event fields: plain (feed only) and/or order (an entity fetch per event per "
        "subscriber); default both, plain first",
    )
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes at a time")
    parser.add_argument("--event-timeout", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.02, help="seconds between events")
    parser.add_argument(
        "--quick", action="store_true", help="a CI-size run: 200 subscribers, few events"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="default: RESULTS.md here")
    parser.add_argument(
        "--router-gc-threshold",
        metavar="T0,T1,T2",
        help="an experiment: the router process runs with these gc.set_threshold values",
    )
    parser.add_argument(
        "--router-tracemalloc",
        type=Path,
        metavar="FILE",
        help="the router traces allocations; what grew per step of each phase goes to FILE",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="cProfile the router into this file (pstats)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.subscribers = min(args.subscribers, 200)
        args.events = min(args.events, 10)
        args.low_events = min(args.low_events, 50)
    selections = args.selection or sorted(SELECTIONS, key=list(SELECTIONS).index)
    limit = raise_file_limit(2 * args.subscribers + 256)
    started = datetime.now(UTC)
    command = "bench/subscriptions/run " + shlex.join(
        recorded(sys.argv[1:] if argv is None else argv)
    )
    print(f"file descriptor limit {limit}", flush=True)
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="ehb-bench-subscriptions-") as tmp:
        workdir = Path(tmp)
        tracemalloc = (
            None if args.router_tracemalloc is None else args.router_tracemalloc.absolute()
        )
        with servers_running(
            workdir, args.profile, args.router_gc_threshold, tracemalloc
        ) as servers:

            async def run_all() -> None:
                for selection in selections:
                    for name, count, events in (
                        ("low load", args.low_subscribers, args.low_events),
                        ("many subscribers", args.subscribers, args.events),
                    ):
                        print(f"{name}: {count} subscribers, {selection}", flush=True)
                        phase = await run_phase(
                            servers,
                            Phase(name, count, events, selection),
                            concurrency=args.concurrency,
                            event_timeout=args.event_timeout,
                            gap=args.gap,
                        )
                        print("  " + orjson.dumps(summary(phase)).decode(), flush=True)
                        phases.append(phase)
                        await asyncio.sleep(1.0)  # the router tears the sockets down

            try:
                asyncio.run(run_all())
            finally:
                log = servers.log.read_text(errors="replace")
                problems = [
                    line
                    for line in log.splitlines()
                    if " ERROR " in line or "Traceback" in line or " WARNING " in line
                ]
                if problems:
                    print(f"router log ({len(problems)} warnings/errors), first ones:")
                    print("\n".join(problems[:10]))
    text = markdown(phases, command.strip(), started, uvicorn_websocket_implementation())
    args.output.write_text(text)
    print(text)
    lost = [phase for phase in phases if phase.delivered != phase.expected]
    for phase in lost:
        print(f"{phase.name}, {phase.selection}: {phase.delivered} of {phase.expected} delivered")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
