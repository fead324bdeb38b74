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


class HeldExecution:
    """An execution that counts its runs and finishes (with its run number, or failing) once
    released."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.release = asyncio.Event()
        self.runs = 0
        self._failure = failure

    async def __call__(self) -> Execution:
        self.runs += 1
        run = self.runs
        await self.release.wait()
        if self._failure is not None:
            raise self._failure
        return Execution({"data": {"run": run}})


async def _two_requests(
    deduplicator: QueryDeduplicator, execute: HeldExecution
) -> tuple[asyncio.Future[Execution], asyncio.Future[Execution]]:
    """The first request of a key, running it, and an identical one, waiting for it."""
    first = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(deduplicator.run("key", execute))
    await asyncio.sleep(0)
    return first, second


async def test_a_waiter_that_leaves_does_not_cancel_the_shared_execution() -> None:
    deduplicator, execute = QueryDeduplicator(), HeldExecution()
    first, leaving = await _two_requests(deduplicator, execute)

    leaving.cancel()
    execute.release.set()

    assert (await first).body == {"data": {"run": 1}}
    assert leaving.cancelled()
    assert execute.runs == 1
    assert deduplicator.in_flight == 0


async def test_when_the_running_request_is_cancelled_a_waiter_runs_the_execution_again() -> None:
    deduplicator, execute = QueryDeduplicator(), HeldExecution()
    running, waiting = await _two_requests(deduplicator, execute)

    running.cancel()
    await asyncio.sleep(0)
    execute.release.set()

    assert (await waiting).body == {"data": {"run": 2}}
    assert running.cancelled()
    assert deduplicator.in_flight == 0


async def test_a_failed_execution_fails_every_request_that_shared_it() -> None:
    deduplicator = QueryDeduplicator()
    execute = HeldExecution(failure=RuntimeError("engine failure"))
    first, second = await _two_requests(deduplicator, execute)

    execute.release.set()

    for request in (first, second):
        with pytest.raises(RuntimeError, match="engine failure"):
            await request
    assert execute.runs == 1
    assert deduplicator.in_flight == 0
