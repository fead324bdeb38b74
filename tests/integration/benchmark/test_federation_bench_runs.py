"""The bounded run of bench/federation (`--quick`: our router and Apollo Gateway, one round of a
few seconds each under 10 connections, in their own processes under wrk). Its figures are the
benchmark's business; this only proves the harness works end to end: both gateways pass the check
before timing, are measured, and the table and the ratio are written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.npm
# A few seconds of load per gateway, but starting two gateways and letting Apollo Gateway finish
# the requests left in flight takes longer on a busy machine.
RUN_TIMEOUT_SECONDS = 240


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_the_quick_federation_benchmark_measures_our_router_and_a_peer(
    npm_tools: None, tmp_path: Path
) -> None:
    if shutil.which("wrk") is None:
        message = "wrk is not installed (bench/federation/run installs it: apt-get install wrk)"
        if os.environ.get("EHB_CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    results = tmp_path / "RESULTS.md"
    finished = subprocess.run(
        # What bench/federation/run runs after installing, with this interpreter.
        [sys.executable, "-m", "bench.federation.measure", "--quick", "--output", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    written = results.read_text()
    assert "| EHB router " in written
    assert "| Apollo Gateway (@apollo/server) " in written
    assert "Ours against each peer" in written
    assert "excluded" not in written
