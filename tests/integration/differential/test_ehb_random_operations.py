"""Random valid operations over the EHB-5 API (``frontend-schema.graphql``), through our router
to the six subgraphs on seeded SQLite, answer exactly what the independent oracle answers.

Operations are generated from the API schema with ``random_argument_values(world)`` (the seeded
rows' ids and cursors, a cursor of another table per connection, and rarely an unknown id, a
``first`` out of range or a malformed cursor) and ``EXCLUDED_FIELDS`` (tests/fixtures/ehb/graph.py).
Depth 6 lets a selection go through connections (``edges { node { ... } }`` takes two levels)
and across subgraphs, e.g. ``user { orders { edges { node { lines { product { seller ...``.
The ``data`` must be identical, key order included, and both must agree on whether there are
``errors``; a disagreement is shrunk to a minimal operation before it is reported. Kept
regressions live in ``regressions/ehb.json`` and always run.

``EHB_DIFFERENTIAL_OPERATIONS`` (default 150) and ``EHB_DIFFERENTIAL_SEED`` widen a run, as for
the feature graphs (test_random_operations_against_the_oracle.py).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from graphql import build_schema

from tests.fixtures.differential.operations import GenerationSettings, generate_operations
from tests.fixtures.differential.oracle import ask_oracle
from tests.fixtures.differential.runner import (
    disagreement,
    find_disagreements,
    load_regressions,
    report,
)
from tests.fixtures.ehb.graph import EXCLUDED_FIELDS, random_argument_values
from tests.fixtures.ehb.oracle import API_SCHEMA_PATH
from tests.fixtures.ehb.platform import Ehb, running_ehb

OPERATIONS = int(os.environ.get("EHB_DIFFERENTIAL_OPERATIONS", "150"))
SEED = int(os.environ.get("EHB_DIFFERENTIAL_SEED", "20261128"))
REGRESSIONS = Path(__file__).with_name("regressions") / "ehb.json"
MAX_DEPTH = 6
# About 0.1 s per operation (router, six subgraphs on SQLite, oracle); `make fuzz` runs 3000.
TIMEOUT_SECONDS = max(120, OPERATIONS // 4)


@pytest.fixture(scope="module")
async def ehb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Ehb]:
    async with running_ehb(tmp_path_factory.mktemp("ehb-random")) as running:
        yield running


def settings(ehb: Ehb) -> GenerationSettings:
    return GenerationSettings(
        max_depth=MAX_DEPTH,
        argument_values=random_argument_values(ehb.world),
        excluded_fields=EXCLUDED_FIELDS,
    )


async def test_kept_regressions_agree_with_the_oracle(ehb: Ehb) -> None:
    failures = []
    for why, operation in load_regressions(REGRESSIONS):
        found = await disagreement(ehb.send, ehb.oracle, operation)
        if found is not None:
            failures.append(f"{why}\n{found.describe()}")
    assert not failures, "\n".join(failures)


@pytest.mark.timeout(TIMEOUT_SECONDS)
async def test_random_operations_agree_with_the_oracle(ehb: Ehb) -> None:
    api_schema = build_schema(API_SCHEMA_PATH.read_text())
    operations = generate_operations(
        api_schema, seed=SEED, count=OPERATIONS, settings=settings(ehb)
    )

    found = await find_disagreements(ehb.send, ehb.oracle, api_schema, operations)

    assert not found, f"{len(found)}+ disagreements (seed {SEED}), shrunk:\n{report(found)}"


async def test_random_operations_mostly_answer_data_without_errors(ehb: Ehb) -> None:
    """The samples reach into the data: few answers are errors (rare argument values only)."""
    api_schema = build_schema(API_SCHEMA_PATH.read_text())
    operations = generate_operations(api_schema, seed=SEED, count=100, settings=settings(ehb))

    answers = [await ask_oracle(ehb.oracle, op.query, op.variables) for op in operations]

    assert sum(answer.get("data") is None for answer in answers) <= 10
    assert sum(bool(answer.get("errors")) for answer in answers) <= 15
