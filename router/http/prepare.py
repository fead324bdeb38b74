"""Pipeline step 2: parse, validate, authorize and plan the document (the engine caches them)."""

from __future__ import annotations

from router.auth import Principal
from router.http.engine_protocol import GraphQLEngine, Prepared
from router.http.graphql_request import GraphQLRequest
from router.http.request_errors import bad_request


def prepare_operation(
    engine: GraphQLEngine[Prepared],
    request: GraphQLRequest,
    principal: Principal | None = None,
) -> Prepared:
    """Raises ``RequestError`` for unusable documents and operations the method cannot carry.
    The plan leaves out what ``principal`` may not see."""
    prepared = engine.prepare(request.query, request.operation_name, principal=principal)
    if prepared.operation_type == "subscription":
        raise bad_request(
            "Subscriptions are not served over a single HTTP request: subscribe over "
            "WebSocket (graphql-transport-ws) or with Accept: text/event-stream"
        )
    if request.method == "GET" and prepared.operation_type != "query":
        # GET must stay safe: caches and prefetchers may repeat it.
        raise bad_request(
            f"A {prepared.operation_type} can only be sent with POST, not GET", status_code=405
        )
    return prepared
