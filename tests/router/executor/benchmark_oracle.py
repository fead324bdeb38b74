"""An independent oracle for the benchmark graph: one plain graphql-core schema over the same
data, with no federation at all. A correct router must answer exactly like it."""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import ExecutionResult, GraphQLResolveInfo, GraphQLSchema, build_schema, execute, parse

from router.supergraph import Supergraph
from tests.fixtures.benchmark.data import benchmark_data, rows_by


def _shipping_estimate(product: dict[str, Any]) -> int | None:
    if product["price"] is None or product["weight"] is None:
        return None
    return 0 if product["price"] > 1000 else int(product["weight"] / 2)


def _resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    data = benchmark_data()
    parent, field = info.parent_type.name, info.field_name
    if parent == "Query":
        if field == "me":
            return data["users"][0]
        if field == "user":
            return rows_by("users", "id").get(arguments["id"])
        if field == "users":
            return data["users"]
        first = arguments.get("first")
        return data["products"][: first if first is not None else 5]
    if parent == "User" and field == "reviews":
        return data["reviews"][:2]
    if parent == "Review":
        if field == "author":
            return data["users"][0]
        if field == "product":
            return rows_by("products", "upc").get(source["productUpc"])
    if parent == "Product":
        if field == "reviews":
            return [row for row in data["reviews"] if row["productUpc"] == source["upc"]]
        if field == "inStock":
            return rows_by("inventory", "upc")[source["upc"]]["inStock"]
        if field == "shippingEstimate":
            return _shipping_estimate(source)
    return source.get(field)


@cache
def _schema(sdl: str) -> GraphQLSchema:
    return build_schema(sdl)


def oracle_response(
    supergraph: Supergraph, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    schema = _schema(supergraph.api_sdl)
    result = execute(schema, parse(document), variable_values=variables, field_resolver=_resolve)
    assert isinstance(result, ExecutionResult)
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors]
    return response
