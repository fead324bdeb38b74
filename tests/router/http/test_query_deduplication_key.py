"""Which client queries count as identical (router.http.deduplicate.execution_key)."""

from __future__ import annotations

import asyncio

import pytest

from router.auth import Principal
from router.http.deduplicate import Execution, QueryDeduplicator, execution_key

FORWARDED = ("authorization",)
PREPARED = object()
ANN = Principal.from_claims({"sub": "ann", "roles": ["customer"], "scope": "orders:read"})


def test_same_operation_variables_caller_and_headers_are_identical() -> None:
    first = execution_key(PREPARED, {"a": 1, "b": [2]}, ANN, {"authorization": "t"}, FORWARDED)
    second = execution_key(
        PREPARED,
        {"b": [2], "a": 1},
        Principal.from_claims({"scope": "orders:read", "roles": ["customer"], "sub": "ann"}),
        {"authorization": "t", "user-agent": "other"},
        FORWARDED,
    )
    assert first is not None and first == second


@pytest.mark.parametrize(
    ("prepared", "variables", "principal", "headers"),
    [
        (object(), {"a": 1}, ANN, {"authorization": "t"}),
        (PREPARED, {"a": 2}, ANN, {"authorization": "t"}),
        (PREPARED, {"a": 1}, None, {"authorization": "t"}),
        (PREPARED, {"a": 1}, Principal.from_claims({"sub": "bob"}), {"authorization": "t"}),
        (
            PREPARED,
            {"a": 1},
            Principal.from_claims({"sub": "ann", "roles": ["customer", "admin"]}),
            {"authorization": "t"},
        ),
        (PREPARED, {"a": 1}, ANN, {"authorization": "other"}),
        (PREPARED, {"a": 1}, ANN, {}),
    ],
)
def test_any_difference_makes_a_separate_execution(
    prepared: object,
    variables: dict[str, int],
    principal: Principal | None,
    headers: dict[str, str],
) -> None:
    reference = execution_key(PREPARED, {"a": 1}, ANN, {"authorization": "t"}, FORWARDED)
    assert execution_key(prepared, variables, principal, headers, FORWARDED) != reference


async def test_a_waiter_that_leaves_does_not_cancel_the_shared_execution() -> None:
    deduplicator = QueryDeduplicator()
    release = asyncio.Event()
    runs = 0

    async def execute() -> Execution:
        nonlocal runs
        runs += 1
        await release.wait()
        return Execution({"data": {"ok": True}})

    first = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    leaving = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()

    assert (await first).body == {"data": {"ok": True}}
    assert leaving.cancelled()
    assert runs == 1
    assert deduplicator.in_flight == 0


async def test_when_the_running_request_is_cancelled_a_waiter_runs_the_execution_again() -> None:
    deduplicator = QueryDeduplicator()
    release = asyncio.Event()
    runs = 0

    async def execute() -> Execution:
        nonlocal runs
        runs += 1
        await release.wait()
        return Execution({"data": {"run": runs}})

    running = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    running.cancel()
    await asyncio.sleep(0)
    release.set()

    assert (await waiting).body == {"data": {"run": 2}}
    assert running.cancelled()
    assert deduplicator.in_flight == 0


async def test_a_failed_execution_fails_every_request_that_shared_it() -> None:
    deduplicator = QueryDeduplicator()
    release = asyncio.Event()
    runs = 0

    async def execute() -> Execution:
        nonlocal runs
        runs += 1
        await release.wait()
        raise RuntimeError("engine failure")

    first = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    release.set()

    for request in (first, second):
        with pytest.raises(RuntimeError, match="engine failure"):
            await request
    assert runs == 1
    assert deduplicator.in_flight == 0
