"""``ehb router`` as the benchmark runs it: the same command (``router.cli.main``), plus what the
benchmark wants to know about the process from the inside:

- the cyclic garbage collector's pauses (``gc.callbacks``), written as JSON (each generation's
  pause lengths in seconds, so far) to the file named by ``EHB_BENCH_ROUTER_STATS`` whenever
  the process gets SIGUSR1 and when it exits;
- with ``EHB_BENCH_ROUTER_PROFILE=<file>``, a cProfile of the whole run (``pstats`` format);
- with ``EHB_BENCH_ROUTER_TRACEMALLOC=<file>``, tracemalloc on: at each SIGUSR1 the allocations
  grown since the previous SIGUSR1 (top 25 lines) are appended to that file, headed by the
  contents of ``<file>.label`` (which the benchmark writes before signalling);
- with ``EHB_BENCH_ROUTER_GC_THRESHOLD=t0,t1,t2``, those collector thresholds (an experiment:
  the router itself only freezes its start-up objects).

    python -m bench.subscriptions.router_process router --supergraph ... --port ...
"""

from __future__ import annotations

import cProfile
import gc
import os
import signal
import sys
import time
import tracemalloc
from pathlib import Path
from types import FrameType
from typing import Any

import orjson

from router.cli import main as ehb

_pauses: dict[str, list[float]] = {"gen0": [], "gen1": [], "gen2": []}
_started: list[float] = []
_snapshots: list[tracemalloc.Snapshot] = []


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started.append(time.perf_counter())
    elif _started:
        _pauses[f"gen{info['generation']}"].append(time.perf_counter() - _started.pop())


def _write_stats(signum: int | None = None, frame: FrameType | None = None) -> None:
    traced = os.environ.get("EHB_BENCH_ROUTER_TRACEMALLOC")
    if traced and tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        if _snapshots:
            label = Path(f"{traced}.label")
            heading = label.read_text() if label.exists() else "?"
            grown = snapshot.compare_to(_snapshots[-1], "lineno")[:25]
            with Path(traced).open("a") as out:
                out.write(f"## {heading}\n\n")
                out.writelines(f"    {line}\n" for line in grown)
                out.write("\n")
        _snapshots[:] = [snapshot]
    path = os.environ.get("EHB_BENCH_ROUTER_STATS")
    if path:
        Path(path).write_bytes(orjson.dumps(_pauses))


def main() -> int:
    gc.callbacks.append(_on_gc)
    if os.environ.get("EHB_BENCH_ROUTER_TRACEMALLOC"):
        tracemalloc.start()
    threshold = os.environ.get("EHB_BENCH_ROUTER_GC_THRESHOLD")
    if threshold:
        gc.set_threshold(*(int(part) for part in threshold.split(",")))
    signal.signal(signal.SIGUSR1, _write_stats)
    profile_path = os.environ.get("EHB_BENCH_ROUTER_PROFILE")
    profiler = cProfile.Profile() if profile_path else None
    try:
        if profiler is not None:
            profiler.enable()
        return ehb(sys.argv[1:])
    finally:
        if profiler is not None and profile_path:
            profiler.disable()
            profiler.dump_stats(profile_path)
        _write_stats()


if __name__ == "__main__":
    raise SystemExit(main())
