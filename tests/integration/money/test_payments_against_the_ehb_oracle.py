"""The payment fields through the router agree with the EHB oracle (tests/fixtures/ehb) on the
seeded platform (which holds no payments): lookups, lists, connections with good and bad
paging arguments, analytics windows good and bad, and `Order.payment` of the seeded orders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fixtures.differential.operations import GeneratedOperation
from tests.fixtures.differential.runner import disagreement
from tests.fixtures.ehb.platform import Ehb, running_ehb

OPERATIONS: list[tuple[str, dict[str, object]]] = [
    ("query($id: ID!) { payment(id: $id) { id status } }", {"id": "not-an-id"}),
    (
        "query($id: ID!) { payment(id: $id) { id } }",
        {"id": "00000000-0000-0000-0000-000000000000"},
    ),
    ("{ paymentMethods { id kind last4 } }", {}),
    (
        "query($o: ID) { paymentMethods(ownerId: $o) { id } }",
        {"o": "00000000-0000-4000-8000-000000000001"},
    ),
    ("{ payments { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage } } }", {}),
    ("{ payments(first: 101) { edges { node { id } } } }", {}),
    ('{ payments(after: "not-a-cursor") { edges { node { id } } } }', {}),
    ("{ payments(status: FAILED, first: 5) { pageInfo { hasNextPage endCursor } } }", {}),
    (
        "query($i: PaymentAnalyticsInput!) { paymentAnalytics(input: $i) { day count } }",
        {"i": {"since": "2020-01-01T00:00:00+00:00", "until": "2020-12-31T00:00:00+00:00"}},
    ),
    (
        "query($i: PaymentAnalyticsInput!) { paymentAnalytics(input: $i) { day } }",
        {"i": {"since": "2020-12-31T00:00:00+00:00", "until": "2020-01-01T00:00:00+00:00"}},
    ),
    (
        "{ users(first: 10) { edges { node {"
        " orders { edges { node { id payment { id status } } } } } } } }",
        {},
    ),
]


@pytest.fixture(scope="module")
async def ehb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Ehb]:
    directory: Path = tmp_path_factory.mktemp("payments-ehb")
    async with running_ehb(directory) as running:
        yield running


async def test_payment_fields_agree_with_the_oracle(ehb: Ehb) -> None:
    failures = []
    for query, variables in OPERATIONS:
        found = await disagreement(ehb.send, ehb.oracle, GeneratedOperation(query, dict(variables)))
        if found is not None:
            failures.append(found.describe())
    assert not failures, "\n".join(failures)
