"""Pipeline step 3: run the prepared operation through the engine."""

from __future__ import annotations

from typing import Any

from router.http.engine_protocol import GraphQLEngine, Prepared
from router.http.graphql_request import GraphQLRequest
from router.types import RequestContext


async def execute_operation(
    engine: GraphQLEngine[Prepared],
    prepared: Prepared,
    request: GraphQLRequest,
    context: RequestContext,
) -> dict[str, Any]:
    """The GraphQL response; raises ``RequestError`` when the variables are unusable."""
    return await engine.execute(prepared, request.variables, context)
