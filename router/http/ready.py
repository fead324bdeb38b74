"""``GET /ready``: readiness, for a load balancer or Kubernetes' readiness probe (``/health`` is
liveness). 200 ``{"status": "pass"}`` only when the router can serve: a supergraph is loaded and
every subgraph it names has a usable instance; else 503 ``{"status": "fail", "subgraphs":
{name: {"reason": ...}}}`` naming each subgraph without one.

An instance of a subgraph with several is usable while the balancer has not taken it out
(``router.transport.instances``, checked every ``EHB_ROUTER_INSTANCE_CHECK_INTERVAL``). A
subgraph with one instance is never taken out, so that one is probed with ``{ __typename }`` as
``/health`` does.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.requests import Request
from starlette.responses import Response

from router.http.request_id import request_id_for
from router.http.state import STATE_KEY, RouterState, router_state
from router.transport import probe_subgraph
from router.transport.instances import InstancePool, every_instance_out


async def ready_endpoint(request: Request) -> Response:
    if not hasattr(request.state, STATE_KEY):
        return _answer(503, {"status": "fail", "reason": "no supergraph loaded yet"})
    state = router_state(request)
    request_id = request_id_for(request)
    pools = state.fetcher.instances.pools
    reasons = await asyncio.gather(
        *(
            _unusable_reason(state, name, pools.get(name), request_id)
            for name in state.subgraph_names
        )
    )
    unusable = {
        name: {"reason": reason}
        for name, reason in zip(state.subgraph_names, reasons, strict=True)
        if reason is not None
    }
    if unusable:
        return _answer(503, {"status": "fail", "subgraphs": unusable})
    return _answer(200, {"status": "pass"})


async def _unusable_reason(
    state: RouterState, subgraph: str, pool: InstancePool | None, request_id: str
) -> str | None:
    """Why ``subgraph`` has no usable instance, or None when it has one."""
    if pool is None:
        return "no instance URL"
    if pool.balanced:
        return None if any(i.healthy for i in pool.instances) else every_instance_out(pool)
    probe = await probe_subgraph(
        state.fetcher,
        subgraph,
        timeout_seconds=state.config.health_probe_timeout_seconds,
        request_id=request_id,
    )
    if probe.status == "pass":
        return None
    return probe.reason or "the { __typename } probe failed"


def _answer(status_code: int, body: dict[str, object]) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type="application/json",
        headers={"cache-control": "no-store"},
    )
