"""The bounded run of bench/dashboard (`--quick`: the dashboard query through the router at two
list sizes, in a subprocess serving the subgraphs, with the router in a process of its own):
every subgraph's SQL statements per dashboard request stay the same when the lists grow (no
N+1). That is a correctness invariant; the run's timings are the benchmark's business and are
never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from bench.dashboard.stats import percentile, router_overhead_ms, server_timing_durations
from subgraphs import SUBGRAPH_NAMES

ROOT = Path(__file__).resolve().parents[3]


def test_statements_per_dashboard_request_do_not_grow_with_list_sizes(tmp_path: Path) -> None:
    results, figures = tmp_path / "RESULTS.md", tmp_path / "figures.json"
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.dashboard.measure",
            "--quick",
            "--output",
            str(results),
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    small, large = orjson.loads(figures.read_bytes())
    assert large["lists"]["orders"] > small["lists"]["orders"] > 0
    assert large["lists"]["order lines"] > small["lists"]["order lines"]
    assert large["lists"]["notifications"] > small["lists"]["notifications"]
    for name in SUBGRAPH_NAMES:
        # One count per size (every request of a size sent as many statements), the same count.
        assert len(small["statements"][name]) == 1, (name, small["statements"])
        assert small["statements"][name] == large["statements"][name], name
        assert small["statements"][name][0] >= 1, name
        assert small["fetches"][name] == large["fetches"][name], name
    report = results.read_text()
    assert "no N+1" in report
    # where the router ran: alone on a CPU of its own, or (one CPU) beside everything else
    assert "the router alone on CPU 1" in report or "not pinned" in report


def test_the_router_overhead_is_its_total_minus_time_in_subgraph_fetches() -> None:
    header = "subgraphs;dur=7.25, total;dur=8.5"
    assert server_timing_durations(header) == {"subgraphs": 7.25, "total": 8.5}
    assert router_overhead_ms(header) == (8.5, 1.25)
    assert router_overhead_ms("total;dur=8.5") is None
    assert router_overhead_ms(None) is None
    assert server_timing_durations('db;dur=1.5;desc="2 statements", cache;desc=hit') == {"db": 1.5}


def test_percentiles_are_nearest_rank() -> None:
    samples = [float(value) for value in range(1, 101)]
    assert percentile(samples, 0.5) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0
