"""The fetcher over several real instances: round-robin, retries after connection failures
(queries only, never timeouts), passive and active taking out, and coming back."""

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from router.errors import SubgraphUnavailable
from router.instance_settings import InstanceSettings
from router.transport import HttpSubgraphFetcher, KeepAliveClient
from router.transport.health_checks import InstanceHealthChecks
from router.transport.instances import SubgraphInstances
from router.types import RequestContext, SubgraphRequest
from tests.fixtures.benchmark.loopback import unused_loopback_port
from tests.router.transport.instance_servers import RunningInstance, start_instance

QUERY = SubgraphRequest(query="query Q { instance }", operation_kind="query")
MUTATION = SubgraphRequest(query="mutation M { instance }", operation_kind="mutation")
POLL_SECONDS = 0.02
FAST_CHECKS = InstanceSettings(
    check_interval_seconds=0.05, check_timeout_seconds=0.5, unhealthy_after=2, healthy_after=2
)


@pytest.fixture
async def two_instances() -> AsyncIterator[tuple[RunningInstance, RunningInstance]]:
    first, second = await start_instance("first"), await start_instance("second")
    yield first, second
    await first.stop()
    await second.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def _fetcher(client: KeepAliveClient, urls: list[str], timeout: float = 2.0) -> HttpSubgraphFetcher:
    return HttpSubgraphFetcher(client, {"s": urls}, timeout_seconds=timeout, deduplicate=True)


async def _answered_by(fetcher: HttpSubgraphFetcher, request: SubgraphRequest = QUERY) -> str:
    response = await fetcher("s", request, RequestContext())
    answered: str = response["data"]["instance"]
    return answered


async def _until(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    for _ in range(int(seconds / POLL_SECONDS)):
        if condition():
            return
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"not true within {seconds}s")


async def test_requests_alternate_between_the_instances(
    subgraph_client: KeepAliveClient, two_instances: tuple[RunningInstance, RunningInstance]
) -> None:
    first, second = two_instances
    fetcher = _fetcher(subgraph_client, [first.url, second.url])

    answers = [await _answered_by(fetcher) for _ in range(6)]

    assert answers == ["first", "second"] * 3
    assert len(first.behaviour.queries) == len(second.behaviour.queries) == 3


async def test_a_query_refused_by_one_instance_is_answered_by_the_other_which_then_gets_all(
    subgraph_client: KeepAliveClient, two_instances: tuple[RunningInstance, RunningInstance]
) -> None:
    _, second = two_instances
    refusing = f"http://127.0.0.1:{unused_loopback_port()}/graphql"
    fetcher = _fetcher(subgraph_client, [refusing, second.url])

    answers = [await _answered_by(fetcher) for _ in range(4)]

    assert answers == ["second"] * 4
    assert len(second.behaviour.queries) == 4
    pool = fetcher.instances.pool("s")
    assert pool is not None
    out = pool.instances[0]
    assert not out.healthy
    assert out.reason is not None and "cannot connect" in out.reason


async def test_a_mutation_refused_by_one_instance_is_not_sent_to_the_other(
    subgraph_client: KeepAliveClient, two_instances: tuple[RunningInstance, RunningInstance]
) -> None:
    _, second = two_instances
    refusing = f"http://127.0.0.1:{unused_loopback_port()}/graphql"
    fetcher = _fetcher(subgraph_client, [refusing, second.url])

    with pytest.raises(SubgraphUnavailable, match="cannot connect"):
        await _answered_by(fetcher, MUTATION)

    assert second.behaviour.queries == []
    # The refusing instance is out: the next mutation goes to the one that answers.
    assert await _answered_by(fetcher, MUTATION) == "second"


async def test_a_query_that_times_out_is_not_sent_again(subgraph_client: KeepAliveClient) -> None:
    slow, fast = await start_instance("slow", delay_seconds=1.0), await start_instance("fast")
    try:
        fetcher = _fetcher(subgraph_client, [slow.url, fast.url], timeout=0.3)

        with pytest.raises(SubgraphUnavailable, match=r"no response within 0\.3s"):
            await _answered_by(fetcher)

        assert fast.behaviour.queries == []
        pool = fetcher.instances.pool("s")
        assert pool is not None and all(i.healthy for i in pool.instances)  # slow is not dead
    finally:
        await slow.stop()
        await fast.stop()


async def test_every_instance_out_fails_at_once_with_the_reasons(
    subgraph_client: KeepAliveClient,
) -> None:
    urls = [f"http://127.0.0.1:{unused_loopback_port()}/graphql" for _ in range(2)]
    fetcher = _fetcher(subgraph_client, urls)

    with pytest.raises(SubgraphUnavailable, match="cannot connect"):
        await _answered_by(fetcher)  # tries both, takes both out

    with pytest.raises(SubgraphUnavailable, match="every instance is out") as caught:
        await _answered_by(fetcher)
    assert all(url in caught.value.reason for url in urls)


async def test_a_stopped_instance_is_taken_out_by_checks_and_put_back_when_it_returns(
    subgraph_client: KeepAliveClient,
    two_instances: tuple[RunningInstance, RunningInstance],
    session: aiohttp.ClientSession,
) -> None:
    first, second = two_instances
    instances = SubgraphInstances({"s": [first.url, second.url]})
    fetcher = HttpSubgraphFetcher(subgraph_client, instances, timeout_seconds=2.0)
    checks = InstanceHealthChecks(instances, session, FAST_CHECKS)
    pool = instances.pool("s")
    assert pool is not None
    stopped = pool.instances[0]
    checks.start()
    try:
        await first.stop()
        await _until(lambda: not stopped.healthy)
        assert stopped.reason is not None and "/health failed" in stopped.reason
        assert [await _answered_by(fetcher) for _ in range(3)] == ["second"] * 3

        await first.restart()
        await _until(lambda: stopped.healthy)
        assert {await _answered_by(fetcher) for _ in range(4)} == {"first", "second"}
    finally:
        await checks.close()


async def test_an_instance_whose_health_check_fails_is_taken_out_though_it_answers(
    subgraph_client: KeepAliveClient,
    two_instances: tuple[RunningInstance, RunningInstance],
    session: aiohttp.ClientSession,
) -> None:
    first, second = two_instances
    instances = SubgraphInstances({"s": [first.url, second.url]})
    fetcher = HttpSubgraphFetcher(subgraph_client, instances, timeout_seconds=2.0)
    checks = InstanceHealthChecks(instances, session, FAST_CHECKS)
    pool = instances.pool("s")
    assert pool is not None
    first.behaviour.health_status = 503

    await checks.check_all()
    assert pool.instances[0].healthy  # one failed check is not enough
    await checks.check_all()

    assert not pool.instances[0].healthy
    assert pool.instances[0].reason == f"GET http://127.0.0.1:{first.port}/health answered HTTP 503"
    assert [await _answered_by(fetcher) for _ in range(3)] == ["second"] * 3
    first.behaviour.health_status = 200
    await checks.check_all()
    await checks.check_all()
    assert pool.instances[0].healthy


async def test_a_single_instance_is_not_checked(
    two_instances: tuple[RunningInstance, RunningInstance], session: aiohttp.ClientSession
) -> None:
    first, _ = two_instances
    checks = InstanceHealthChecks(SubgraphInstances({"s": first.url}), session, FAST_CHECKS)

    await checks.check_all()

    assert first.behaviour.health_checks == 0


async def test_new_endpoints_take_new_requests_while_one_in_flight_finishes_where_it_began(
    subgraph_client: KeepAliveClient,
) -> None:
    old, new = await start_instance("old", delay_seconds=0.3), await start_instance("new")
    try:
        fetcher = _fetcher(subgraph_client, [old.url])
        in_flight = asyncio.create_task(_answered_by(fetcher))
        await _until(lambda: bool(old.behaviour.queries))

        fetcher.set_endpoints({"s": [new.url]})

        other_query = SubgraphRequest(
            query="query Other { instance }", operation_kind="query"
        )  # not shared
        assert await _answered_by(fetcher, other_query) == "new"
        assert await in_flight == "old"
    finally:
        await old.stop()
        await new.stop()


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()  # the request arrived; no response byte is sent


async def test_a_query_whose_connection_closes_unanswered_is_answered_by_the_other_instance(
    subgraph_client: KeepAliveClient, two_instances: tuple[RunningInstance, RunningInstance]
) -> None:
    _, second = two_instances
    hanging_up = await asyncio.start_server(_hang_up, "127.0.0.1", 0)
    try:
        port = hanging_up.sockets[0].getsockname()[1]
        fetcher = _fetcher(subgraph_client, [f"http://127.0.0.1:{port}/graphql", second.url])

        assert await _answered_by(fetcher) == "second"
        with pytest.raises(SubgraphUnavailable, match="closed the connection before answering"):
            await _answered_by(fetcher, MUTATION)  # the first instance's turn again
        assert len(second.behaviour.queries) == 1
    finally:
        hanging_up.close()
        await hanging_up.wait_closed()
