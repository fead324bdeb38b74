"""The bounded run of bench/subscriptions (`--quick`: 10 then 200 WebSocket subscribers through
the router, in its own processes) delivers every event to every subscriber. Its figures are the
benchmark's business; this only proves the measured path works end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_quick_subscription_benchmark_delivers_every_event(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    finished = subprocess.run(
        # What bench/subscriptions/run runs, with this interpreter (it raises its fd limit).
        [sys.executable, "-m", "bench.subscriptions.measure", "--quick", "--output", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert "| many subscribers | 200 |" in results.read_text()
