"""The long differential run behind `bench/differential/run` (see README.md beside it)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from tests.fixtures.benchmark.graph import BENCHMARK_GRAPH
from tests.fixtures.differential.runner import start_router_over
from tests.fixtures.features.graphs import FEATURE_GRAPHS
from tests.fixtures.features.harness import FeatureGraph
from tests.integration.differential.peer_differences import (
    CATEGORIES,
    PEERS,
    GraphRun,
    run_graph,
    start_peers,
    stop_peers,
)

RESULTS = Path(__file__).with_name("RESULTS.md")
GRAPHS: list[FeatureGraph] = [
    *(graph for graph in FEATURE_GRAPHS if graph.oracle is not None),
    BENCHMARK_GRAPH,
]


async def run_all(
    graphs: list[FeatureGraph],
    peers: list[str],
    seed: int,
    count: int,
    attempts: int,
    after_each: Callable[[list[GraphRun]], None],
) -> list[GraphRun]:
    runs = []
    for graph in graphs:
        running = await start_router_over(graph)
        try:
            started, unserved = await start_peers(graph, running, peers)
            try:
                urls = {peer: url for peer, (_, url) in started.items()}

                def progress(done: int, name: str = graph.name) -> None:
                    if done % 100 == 0:
                        print(f"  {name}: {done}/{count}", file=sys.stderr, flush=True)

                run = await run_graph(
                    graph,
                    running,
                    urls,
                    seed=seed,
                    count=count,
                    shrink_attempts=attempts,
                    on_progress=progress,
                )
                run.unserved = unserved
                runs.append(run)
                after_each(runs)
                print(f"{graph.name}: {run.seconds:.0f} s", file=sys.stderr, flush=True)
            finally:
                await stop_peers(started)
        finally:
            await running.stop()
    return runs


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, Node {node}"


def render(runs: list[GraphRun], seed: int, count: int, command: str, seconds: float) -> str:
    lines = [
        "# Differential run: our router and the reference gateways against the oracle",
        "",
        f"- command: `{command}`",
        f"- seed: {seed}; {count} random operations per graph; {seconds / 60:.1f} min",
        f"- machine: {_machine()}",
        "- peers: apollo = @apollo/gateway, hive_js = Hive Gateway (JavaScript planner), "
        "hive_rust = Hive Gateway with @graphql-hive/router-runtime (Rust planner)",
        "- categories and why the oracle is right: "
        "`tests/integration/differential/peer_differences.py`",
        "",
        "## Summary",
        "",
        "| graph | gateway | operations | disagreements with the oracle | by category |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for run in runs:
        lines.append(
            f"| {run.graph} | ours | {run.operations} | {len(run.ours)} | "
            + ("" if not run.ours else "see below")
            + " |"
        )
        for peer, reason in run.unserved.items():
            lines.append(f"| {run.graph} | {peer} | - | - | not run: {reason} |")
        for peer in run.peers:
            grouped = run.by_category(peer)
            total = sum(len(items) for items in grouped.values())
            counts = ", ".join(
                f"{name} {len(items)}"
                for name, items in sorted(grouped.items(), key=lambda item: -len(item[1]))
            )
            lines.append(f"| {run.graph} | {peer} | {run.operations} | {total} | {counts} |")
    lines += ["", "## Categories", ""]
    lines += [f"- `{name}`: {c.what} -- {c.why} ({c.spec})" for name, c in CATEGORIES.items()]
    lines += ["", "## One shrunk example per graph, gateway and category", ""]
    for run in runs:
        for found in run.ours:
            lines += [f"### {run.graph} / ours", "", "```", found.describe().rstrip(), "```", ""]
        for peer in run.peers:
            for name, items in sorted(run.by_category(peer).items()):
                example = items[0].shrunk
                lines += [
                    f"### {run.graph} / {peer} / {name} ({len(items)})",
                    "",
                    "```graphql",
                    example.operation.query.rstrip(),
                    "```",
                    f"variables: `{orjson.dumps(example.operation.variables).decode()}`",
                    "",
                    f"- gateway: `{_short(example.answer)}`",
                    f"- oracle: `{_short(example.oracle)}`",
                    "",
                ]
    return "\n".join(lines) + "\n"


def _short(body: object, limit: int = 600) -> str:
    text = orjson.dumps(body).decode()
    return text if len(text) <= limit else text[:limit] + " ..."


def _finding_lines(runs: list[GraphRun]) -> list[bytes]:
    return [
        orjson.dumps(
            {
                "graph": run.graph,
                "peer": finding.peer,
                "category": finding.category,
                "original": {
                    "query": finding.original.query,
                    "variables": finding.original.variables,
                },
                "query": finding.shrunk.operation.query,
                "variables": finding.shrunk.operation.variables,
                "answer": finding.shrunk.answer,
                "oracle": finding.shrunk.oracle,
            }
        )
        + b"\n"
        for run in runs
        for finding in run.findings
    ]


def _reproducing(arguments: list[str]) -> list[str]:
    """The command-line ``arguments`` less the options that only say where to write."""
    kept: list[str] = []
    skip_value = False
    for argument in arguments:
        if skip_value:
            skip_value = False
        elif argument in _WHERE_TO_WRITE:
            skip_value = True
        elif argument.split("=", 1)[0] not in _WHERE_TO_WRITE:
            kept.append(argument)
    return kept


_WHERE_TO_WRITE = ("--output", "--findings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=random.randrange(1, 2**31))
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--graphs", default=",".join(graph.name for graph in GRAPHS))
    parser.add_argument("--shrink-attempts", type=int, default=80)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--findings",
        type=Path,
        help="also write every peer disagreement (shrunk, with both answers) here, one JSON a line",
    )
    arguments = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the subgraphs log every error they answer
    wanted = arguments.graphs.split(",")
    graphs = [graph for graph in GRAPHS if graph.name in wanted]
    peers = arguments.peers.split(",")
    started = time.perf_counter()
    command = "bench/differential/run " + " ".join(_reproducing(sys.argv[1:]))
    if "--seed" not in sys.argv:
        command += f" (seed drawn: {arguments.seed})"

    def write(runs: list[GraphRun]) -> None:  # after every graph: a stopped run keeps its part
        seconds = time.perf_counter() - started
        text = render(runs, arguments.seed, arguments.operations, command, seconds)
        arguments.output.write_text(text)
        if arguments.findings is not None:
            arguments.findings.write_bytes(b"".join(_finding_lines(runs)))

    asyncio.run(
        run_all(
            graphs, peers, arguments.seed, arguments.operations, arguments.shrink_attempts, write
        )
    )
    print(f"wrote {arguments.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
