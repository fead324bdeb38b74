"""schemathesis fuzzes the router in front of the six real subgraphs (SQLite, seeded), as the
seeded administrator (who may reach every resolver): no 5xx, no hang, every error with a code.

Bounded here (`EHB_FUZZ_EXAMPLES` generated operations per root field and mode, default 5, seed
`EHB_FUZZ_SEED`, default fixed); `make fuzz-schema` runs a long one with a fresh seed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from tests.faults.schema_fuzzing import fuzz_router
from tests.integration.platform.servers import Platform, prepare_databases, start_platform

EXAMPLES = int(os.environ.get("EHB_FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("EHB_FUZZ_SEED", "20261129"))

pytestmark = pytest.mark.timeout(max(120, EXAMPLES * 60))


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    settings = await prepare_databases(tmp_path_factory.mktemp("fuzzed-platform"))
    running = await start_platform(settings)
    yield running
    await running.stop()


async def test_generated_operations_get_graphql_answers_with_codes(platform: Platform) -> None:
    report = await asyncio.to_thread(
        fuzz_router, platform.graphql_url, platform.admin_headers(), EXAMPLES, SEED
    )
    print(f"fuzzed (EHB_FUZZ_SEED={SEED}): {report.summary()}")
    assert report.operations > 50, report
    assert not report.problems, (
        f"{len(report.problems)} problems in {report.requests} requests (EHB_FUZZ_SEED={SEED}):\n"
        + "\n".join(report.problems[:40])
    )
