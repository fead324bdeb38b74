"""Processes of the federation benchmark: started pinned to a CPU (taskset), in their own process
group (stopping one ends its whole tree), and measured from /proc (resident memory and CPU time
of the whole process tree)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STOP_TIMEOUT_SECONDS = 10.0


def pinned(argv: Sequence[str], cpu: int | None) -> list[str]:
    """``argv`` run on CPU ``cpu`` only (taskset execs it, so the pid stays the command's)."""
    return list(argv) if cpu is None else ["taskset", "-c", str(cpu), *argv]


def distinct_cpus_available(*cpus: int) -> bool:
    """Whether this process may run on each of ``cpus``, all different (else it says so: the
    benchmark then runs unpinned)."""
    available = os.sched_getaffinity(0)
    if all(cpu in available for cpu in cpus) and len(set(cpus)) == len(cpus):
        return True
    print(f"CPUs {cpus} are not all available ({sorted(available)}): running unpinned")
    return False


@dataclass
class Started:
    """A process started in its own session; its output goes to ``log``."""

    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def discard_stdout(self) -> None:
        """Reads the rest of a piped stdout in a thread, so a chatty process never blocks on a
        full pipe."""
        stdout = self.process.stdout
        if stdout is None:
            return

        def read_until_closed() -> None:
            while stdout.read(65536):
                pass

        threading.Thread(target=read_until_closed, daemon=True).start()

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL to whatever is left after the timeout."""
        if self.process.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(self.pid, signal.SIGKILL)
                self.process.wait()
        _signal_group(self.pid, signal.SIGKILL)  # anything it forked and left behind
        self.log.close()


def start(
    argv: Sequence[str], log: IO[bytes], env: Mapping[str, str], *, stdout_pipe: bool = False
) -> Started:
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout_pipe else log,
        stderr=log,
        env=dict(env),
        start_new_session=True,
    )
    return Started(process, log)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def tree_pids(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/<pid>/task/*/children)."""
    pids = [pid]
    index = 0
    while index < len(pids):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pids[index]}/task").iterdir():
                with contextlib.suppress(OSError):
                    pids.extend(int(child) for child in (task / "children").read_text().split())
        index += 1
    return pids


def tree_rss_bytes(pid: int) -> int:
    total = 0
    for member in tree_pids(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_BYTES
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of every live process in the tree."""
    ticks = 0
    for member in tree_pids(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{member}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / CLOCK_TICKS


def wait_until_idle(
    pid: int, *, quiet_cpu_fraction: float = 0.02, interval: float = 0.5, limit: float = 30.0
) -> float | None:
    """Waits until the process tree uses (almost) no CPU: work left over from requests a
    finished load run abandoned must not be counted in the next one. The seconds it took, or
    None when the tree was still busy after ``limit`` seconds."""
    started = time.monotonic()
    before = tree_cpu_seconds(pid)
    while time.monotonic() - started < limit:
        time.sleep(interval)
        now = tree_cpu_seconds(pid)
        if now - before <= quiet_cpu_fraction * interval:
            return time.monotonic() - started
        before = now
    return None


@dataclass
class MemorySampler:
    """Samples the resident memory of a process tree in a thread until stopped; keeps the peak."""

    pid: int
    interval_seconds: float = 0.05
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.pid))
            time.sleep(self.interval_seconds)
