"""The federation benchmark's figures: medians over rounds, the table printed and the section it
writes into bench/RESULTS.md (between its markers, leaving the rest of the file alone)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.federation.gateways import Gateway
from bench.federation.load import LoadResult

START_MARKER = "<!-- bench/federation: start (written by bench/federation/run) -->"
END_MARKER = "<!-- bench/federation: end -->"


@dataclass(frozen=True)
class RoundResult:
    gateway: str
    round: int
    load: LoadResult
    # Completed in the window + those in flight when it closed (one per connection): the
    # requests whose work cpu_seconds and subgraph_requests count.
    issued_requests: int
    peak_rss_bytes: int
    cpu_seconds: float  # the gateway's process tree, from the window's start until idle after
    subgraph_requests: int  # counted at the subgraphs over the same time
    subgraphs_cpu_seconds: float  # the subgraphs' process, over the measured window

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.issued_requests if self.issued_requests else 0.0

    @property
    def subgraph_requests_per_request(self) -> float:
        return self.subgraph_requests / self.issued_requests if self.issued_requests else 0.0

    @property
    def wrk_busy_percent(self) -> float:
        return 100 * self.load.wrk_cpu_seconds / self.load.seconds if self.load.seconds else 0.0

    @property
    def subgraphs_busy_percent(self) -> float:
        """How much of their CPU the subgraphs used: far below 100 means they never limited."""
        return 100 * self.subgraphs_cpu_seconds / self.load.seconds if self.load.seconds else 0.0


@dataclass(frozen=True)
class Summary:
    """Medians over a gateway's rounds (errors: summed)."""

    gateway: Gateway
    rounds: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    graphql_errors: int
    peak_rss_mb: float
    cpu_ms_per_request: float
    subgraph_requests_per_request: float
    subgraphs_busy_percent: float
    wrk_busy_percent: float


def summarise(gateway: Gateway, results: Sequence[RoundResult]) -> Summary:
    def median(values: Sequence[float]) -> float:
        return statistics.median(values) if values else 0.0

    return Summary(
        gateway=gateway,
        rounds=len(results),
        requests_per_second=median([r.load.requests_per_second for r in results]),
        p50_ms=median([r.load.p50_ms for r in results]),
        p99_ms=median([r.load.p99_ms for r in results]),
        non_2xx=sum(r.load.non_2xx for r in results),
        socket_errors=sum(r.load.socket_errors for r in results),
        graphql_errors=sum(r.load.graphql_errors for r in results),
        peak_rss_mb=median([r.peak_rss_bytes / 2**20 for r in results]),
        cpu_ms_per_request=median([r.cpu_ms_per_request for r in results]),
        subgraph_requests_per_request=median([r.subgraph_requests_per_request for r in results]),
        subgraphs_busy_percent=median([r.subgraphs_busy_percent for r in results]),
        wrk_busy_percent=median([r.wrk_busy_percent for r in results]),
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def summary_table(summaries: Sequence[Summary]) -> str:
    header = [
        "gateway",
        "requests/s",
        "p50 ms",
        "p99 ms",
        "errors (non-2xx / socket / GraphQL)",
        "peak RSS MB",
        "CPU ms/request",
        "subgraph requests/request",
        "load CPU % (subgraphs + wrk)",
    ]
    rows = [
        [
            s.gateway.label,
            f"{s.requests_per_second:,.0f}",
            f"{s.p50_ms:.1f}",
            f"{s.p99_ms:.1f}",
            f"{s.non_2xx} / {s.socket_errors} / {s.graphql_errors}",
            f"{s.peak_rss_mb:.0f}",
            f"{s.cpu_ms_per_request:.2f}",
            f"{s.subgraph_requests_per_request:.2f}",
            f"{s.subgraphs_busy_percent:.0f} + {s.wrk_busy_percent:.0f}",
        ]
        for s in summaries
    ]
    return markdown_table(header, rows)


def ratio_table(summaries: Sequence[Summary]) -> str:
    """Ours / each peer in requests/s, and each peer's CPU per request / ours."""
    ours = [s for s in summaries if s.gateway.ours]
    peers = [s for s in summaries if not s.gateway.ours]
    if not ours or not peers:
        return ""
    header = ["peer"]
    for mine in ours:
        header += [f"{mine.gateway.label}: requests/s ratio", "CPU/request ratio (peer/ours)"]
    rows = []
    for peer in peers:
        cells = [peer.gateway.label]
        for mine in ours:
            speed = (
                mine.requests_per_second / peer.requests_per_second
                if peer.requests_per_second
                else 0.0
            )
            cpu = (
                peer.cpu_ms_per_request / mine.cpu_ms_per_request
                if mine.cpu_ms_per_request
                else 0.0
            )
            cells += [f"{speed:.2f}", f"{cpu:.2f}"]
        rows.append(cells)
    return markdown_table(header, rows)


def rounds_table(results: Sequence[RoundResult], gateways: dict[str, Gateway]) -> str:
    header = ["round", "gateway", "requests", "seconds", "requests/s", "p99 ms", "peak RSS MB"]
    rows = [
        [
            str(r.round),
            gateways[r.gateway].label,
            str(r.load.requests),
            f"{r.load.seconds:.1f}",
            f"{r.load.requests_per_second:,.0f}",
            f"{r.load.p99_ms:.1f}",
            f"{r.peak_rss_bytes / 2**20:.0f}",
        ]
        for r in results
    ]
    return markdown_table(header, rows)


def write_section(path: Path, section: str) -> None:
    """Replaces the benchmark's section of ``path`` (between the markers), or appends it."""
    block = f"{START_MARKER}\n{section.rstrip()}\n{END_MARKER}\n"
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    if START_MARKER in text and END_MARKER in text:
        before = text[: text.index(START_MARKER)]
        after = text[text.index(END_MARKER) + len(END_MARKER) :].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
