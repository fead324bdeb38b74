"""``GET /ready``: readiness, for a load balancer or Kubernetes' readiness probe (``/health`` is
liveness). It says whether this router process can serve, not whether the whole graph is
healthy: 200 ``{"status": "pass"}`` while a supergraph is loaded and the server is not shutting
down, else 503 ``{"status": "fail", "reason": ...}``.

A subgraph that is down never makes it 503: that would take every router out of rotation and
clients would get nothing instead of partial answers for the rest of the graph. The body lists,
for information, each subgraph's ``instances`` as the balancer sees them (as ``/health`` does)
without sending anything to a subgraph, so a probe from every router costs the subgraphs nothing.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from router.http.health import instance_body
from router.http.state import STATE_KEY, is_shutting_down, router_state


async def ready_endpoint(request: Request) -> Response:
    if is_shutting_down(request):
        return _answer(503, {"status": "fail", "reason": "shutting down"})
    if not hasattr(request.state, STATE_KEY):
        return _answer(503, {"status": "fail", "reason": "no supergraph loaded yet"})
    state = router_state(request)
    pools = state.fetcher.instances.pools
    subgraphs = {
        name: {
            "instances": [instance_body(i) for i in pools[name].report()] if name in pools else []
        }
        for name in state.subgraph_names
    }
    return _answer(200, {"status": "pass", "subgraphs": subgraphs})


def _answer(status_code: int, body: dict[str, object]) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type="application/json",
        headers={"cache-control": "no-store"},
    )
