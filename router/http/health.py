"""``GET /health``: liveness. The router is up (it answers once its lifespan is ready) and each
subgraph's state, probed with a GraphQL ``{ __typename }`` so that any subgraph can be checked.
Readiness (can this router process serve?) is ``GET /ready`` (``router.http.ready``).

200 with ``status`` ``pass`` (every subgraph answers) or ``warn`` (some do not, listed with a
reason); with ``?strict=1`` a failing subgraph turns the answer into 503 with ``status`` ``fail``.

Each subgraph also lists its ``instances`` as the router's balancer sees them: ``pass`` or
``fail`` (taken out, with the reason) for a subgraph with several, ``unchecked`` for a single
one. An instance out while its subgraph still answers makes the status ``warn``, never 503: the
router still serves everything.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from router.http.request_id import request_id_for
from router.http.state import router_state
from router.transport import SubgraphHealth, probe_subgraph
from router.transport.instances import InstanceReport

TRUE_VALUES = frozenset({"1", "true", "yes"})


async def health_endpoint(request: Request) -> Response:
    state = router_state(request)
    request_id = request_id_for(request)
    probes = await asyncio.gather(
        *(
            probe_subgraph(
                state.fetcher,
                name,
                timeout_seconds=state.config.health_probe_timeout_seconds,
                request_id=request_id,
            )
            for name in state.subgraph_names
        )
    )
    subgraphs = dict(zip(state.subgraph_names, probes, strict=True))
    pools = state.fetcher.instances.pools
    instances = {
        name: pools[name].report() if name in pools else [] for name in state.subgraph_names
    }
    all_pass = all(probe.status == "pass" for probe in probes)
    all_in = all(i.status != "fail" for listed in instances.values() for i in listed)
    strict = request.query_params.get("strict", "").lower() in TRUE_VALUES
    if all_pass and all_in:
        status, status_code = "pass", 200
    elif strict and not all_pass:
        status, status_code = "fail", 503
    else:
        status, status_code = "warn", 200
    body = {
        "status": status,
        "subgraphs": {
            name: _subgraph_report(probe, instances[name]) for name, probe in subgraphs.items()
        },
    }
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        media_type="application/json",
        headers={"cache-control": "no-store"},
    )


def _subgraph_report(probe: SubgraphHealth, instances: list[InstanceReport]) -> dict[str, Any]:
    report: dict[str, Any] = {"status": probe.status, "latencyMs": probe.latency_ms}
    if probe.reason is not None:
        report["reason"] = probe.reason
    report["instances"] = [instance_body(instance) for instance in instances]
    return report


def instance_body(instance: InstanceReport) -> dict[str, Any]:
    """One instance as ``/health`` and ``/ready`` list it."""
    report: dict[str, Any] = {"url": instance.url, "status": instance.status}
    if instance.reason is not None:
        report["reason"] = instance.reason
    return report
