"""Pipeline step 3: run the prepared operation through the engine, shared with identical
concurrent queries (``router.http.deduplicate``) and timed for ``Server-Timing`` when asked."""

from __future__ import annotations

from collections.abc import Sequence

from router.auth import Principal
from router.http.deduplicate import Execution, QueryDeduplicator, execution_key
from router.http.engine_protocol import GraphQLEngine, Prepared
from router.http.graphql_request import GraphQLRequest
from router.transport.fetch_timing import FetchTiming, current_fetch_timing
from router.types import RequestContext


async def execute_operation(
    engine: GraphQLEngine[Prepared],
    prepared: Prepared,
    request: GraphQLRequest,
    context: RequestContext,
    *,
    principal: Principal | None = None,
    deduplicator: QueryDeduplicator | None = None,
    forwarded_headers: Sequence[str] = (),
    measure_fetches: bool = False,
) -> Execution:
    """The GraphQL response; raises ``RequestError`` when the variables are unusable.

    With a ``deduplicator``, a query identical to one in flight (``execution_key``: same
    prepared operation, variables, caller and ``forwarded_headers`` values) waits for that one's
    response instead of running again. ``measure_fetches``: record the subgraph wait time.
    """

    async def run() -> Execution:
        if not measure_fetches:
            return Execution(await engine.execute(prepared, request.variables, context))
        timing = FetchTiming()
        token = current_fetch_timing.set(timing)
        try:
            body = await engine.execute(prepared, request.variables, context)
        finally:
            current_fetch_timing.reset(token)
        return Execution(body, timing.busy_seconds)

    if deduplicator is not None and prepared.operation_type == "query":
        key = execution_key(
            prepared, request.variables, principal, context.headers, forwarded_headers
        )
        if key is not None:
            return await deduplicator.run(key, run)
    return await run()
