"""The router's own CPU on the dashboard query, without HTTP or subgraphs in the way.

Starts the dashboard platform, seeds it to each size, records every subgraph answer the router's
engine gets for the dashboard query (through the real subgraph client), then runs the same
engine in this process over and over with a fetcher that hands back those recorded bytes:
planning-cache lookup, variable coercion, every fetch's request building, answer decoding,
entity collection, merging, shaping and encoding the response. That is the part of the router
overhead that grows with list sizes, measured without the noise of a shared machine.

    python -m bench.dashboard.replay [--sizes 10,50,100] [--runs 300] [--profile /tmp/p.prof]
                                     [--idle-ms 100]

``--idle-ms`` waits that long between runs, as the router does between dashboard requests (its
subgraphs take 100-200 ms): the CPU caches go cold meanwhile, and each run costs what a
request costs in the real router rather than in a hot loop.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import gc
import pickle
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.dashboard.measure import QUERY, dashboard_seeder, viewer_headers
from bench.dashboard.platform import start_dashboard_platform
from router.auth import Principal
from router.executor.engine import QueryEngine
from router.http.graphql_request import GraphQLRequest
from router.http.server import GC_THRESHOLDS
from router.supergraph import load_supergraph
from router.transport.http_client import KeepAliveClient
from router.transport.http_fetcher import HttpSubgraphFetcher
from router.types import JSONObject, RequestContext, SubgraphRequest
from subgraphs import SUBGRAPH_NAMES

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
RecordingKey = tuple[str, str, bytes]


def _key(subgraph: str, request: SubgraphRequest) -> RecordingKey:
    return subgraph, request.query, orjson.dumps(request.variables, option=orjson.OPT_SORT_KEYS)


class RecordingFetcher:
    """Passes fetches to the real subgraph client and keeps each answer's bytes."""

    def __init__(self, fetcher: HttpSubgraphFetcher) -> None:
        self._fetcher = fetcher
        self.answers: dict[RecordingKey, bytes] = {}

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject:
        answer = await self._fetcher(subgraph, request, context)
        self.answers[_key(subgraph, request)] = orjson.dumps(answer)
        return answer


class ReplayFetcher:
    """Answers each fetch with the recorded bytes, decoded as the subgraph client would."""

    def __init__(self, answers: dict[RecordingKey, bytes]) -> None:
        self._answers = answers

    async def __call__(
        self, subgraph: str, request: SubgraphRequest, context: RequestContext
    ) -> JSONObject:
        answer: JSONObject = orjson.loads(self._answers[_key(subgraph, request)])
        return answer


async def record(sizes: list[int]) -> dict[int, tuple[dict[RecordingKey, bytes], str]]:
    """Per size: the recorded answers and the bearer token the dashboard was asked with."""
    recordings: dict[int, tuple[dict[RecordingKey, bytes], str]] = {}
    with tempfile.TemporaryDirectory(prefix="ehb-dashboard-replay-") as workdir:
        platform = await start_dashboard_platform(Path(workdir))
        client = KeepAliveClient()
        try:
            headers = viewer_headers(platform)
            urls = {name: platform.subgraphs[name].graphql_url for name in SUBGRAPH_NAMES}
            async with aiohttp.ClientSession() as session:
                seeder = dashboard_seeder(platform, session, headers)
                await seeder.prepare()
                for size in sizes:
                    await seeder.grow_to(size)
                    recorder = RecordingFetcher(
                        HttpSubgraphFetcher(
                            client, urls, timeout_seconds=30.0, forwarded_headers=("authorization",)
                        )
                    )
                    engine = QueryEngine(load_supergraph(SUPERGRAPH.read_text()), recorder)
                    context = RequestContext(headers={"authorization": headers["Authorization"]})
                    body = await _execute(engine, size, context)
                    if body.get("errors"):
                        raise SystemExit(f"the dashboard query failed: {body['errors']}")
                    recordings[size] = (recorder.answers, headers["Authorization"])
        finally:
            await client.close()
            await platform.stop()
    return recordings


def _principal(authorization: str) -> Principal:
    """The caller the router would verify this bearer token as (the bench minted it)."""
    payload = authorization.removeprefix("Bearer ").split(".")[1]
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return Principal.from_claims(claims)


async def _execute(engine: QueryEngine, size: int, context: RequestContext) -> dict[str, Any]:
    request = GraphQLRequest(method="POST", query=QUERY, variables={"first": size})
    principal = _principal(str(context.headers["authorization"]))
    prepared = engine.prepare(request.query, request.operation_name, principal=principal)
    return await engine.execute(prepared, request.variables, context)


async def replay(
    answers: dict[RecordingKey, bytes],
    authorization: str,
    size: int,
    runs: int,
    idle_seconds: float = 0.0,
) -> list[float]:
    """CPU milliseconds per dashboard request (prepare, execute, encode), one sample per run."""
    engine = QueryEngine(load_supergraph(SUPERGRAPH.read_text()), ReplayFetcher(answers))
    # As `ehb router` runs: start-up objects frozen, the router's collection thresholds.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    samples: list[float] = []
    for _ in range(runs):
        context = RequestContext(headers={"authorization": authorization})
        started = time.process_time()
        body = await _execute(engine, size, context)
        orjson.dumps(body)
        samples.append((time.process_time() - started) * 1000)
        if idle_seconds:
            await asyncio.sleep(idle_seconds)
    gc.unfreeze()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the largest size")
    parser.add_argument(
        "--idle-ms", type=float, default=0.0, help="wait this long between runs (cold caches)"
    )
    parser.add_argument(
        "--recordings",
        type=Path,
        default=None,
        help="keep the recorded answers in this file, and reuse them when it exists",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.recordings is not None and args.recordings.exists():
        recordings = pickle.loads(args.recordings.read_bytes())
    else:
        recordings = asyncio.run(record(sizes))
        if args.recordings is not None:
            args.recordings.write_bytes(pickle.dumps(recordings))
    for size in sizes:
        answers = recordings[size][0]
        print(
            f"size {size}: {len(answers)} subgraph answers, "
            f"{sum(len(answer) for answer in answers.values()) / 1024:.0f} KiB"
        )
    for size in sizes:
        answers, authorization = recordings[size]
        samples = asyncio.run(replay(answers, authorization, size, args.runs, args.idle_ms / 1000))[
            args.runs // 5 :
        ]
        print(
            f"size {size}: median {statistics.median(samples):.3f} ms, "
            f"min {min(samples):.3f} ms over {len(samples)} runs"
        )
    if args.profile is not None:
        answers, authorization = recordings[sizes[-1]]
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(replay(answers, authorization, sizes[-1], args.runs))
        profiler.disable()
        profiler.dump_stats(args.profile)
        print(f"profile of size {sizes[-1]} written to {args.profile}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
