"""@inaccessible, @tag, @composeDirective, @cost/@listSize and enum/input types that differ
between subgraphs: our router answers like @apollo/gateway and like the oracle
(tests/fixtures/features/directives)."""

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from graphql import GraphQLSchema, get_introspection_query

from tests.fixtures.differential.operations import GeneratedOperation
from tests.fixtures.differential.runner import disagreement
from tests.fixtures.features.directives.subgraphs import GRAPH
from tests.fixtures.features.harness import (
    DifferentialGateways,
    assert_no_more_requests,
    assert_same_answers,
    start_differential_gateways,
)

pytestmark = pytest.mark.npm

Case = tuple[str, dict[str, Any] | None]

CASES: dict[str, Case] = {
    "requires_a_field_that_is_inaccessible_in_the_api": (
        "{ products { id name shippingCents } }",
        None,
    ),
    "inventory_joined_through_an_inaccessible_key": (
        "{ products(first: 2, order: DESC) { name stock shelf } }",
        None,
    ),
    "warehouses_back_to_catalog_through_the_inaccessible_key": (
        """{ warehouses(order: DESC) { id name totalStock
             products { id name priceCents shippingCents stock } } }""",
        None,
    ),
    "input_object_intersection_as_literals": (
        "{ products(price: {min: 500, max: 2600}) { id priceCents } "
        "warehouses(stock: {min: 1}) { id totalStock } }",
        None,
    ),
    "input_object_and_input_only_enum_as_variables": (
        """query Filtered($range: Range, $order: SortOrder!, $stock: Range) {
             products(price: $range, order: $order) { id priceCents }
             warehouses(order: $order, stock: $stock) { name }
           }""",
        {"range": {"max": 1300}, "order": "DESC", "stock": {"max": 3}},
    ),
    "output_only_enum_has_the_values_of_both_subgraphs": (
        "{ products { id category shelf } }",
        None,
    ),
    "entity_by_id_with_typename_and_a_missing_one": (
        """{ product(id: "p3") { __typename id name category stock shippingCents }
             missing: product(id: "nope") { id stock } }""",
        None,
    ),
    "list_size_fields_nested_with_cost_fields": (
        "{ warehouses { products { priceCents shippingCents shelf } } }",
        None,
    ),
    "introspection_hides_inaccessible_elements": (
        """{
          product: __type(name: "Product") { fields { name } }
          query: __type(name: "Query") { fields { name args { name defaultValue } } }
          range: __type(name: "Range") { inputFields { name } }
          category: __type(name: "Category") { enumValues(includeDeprecated: true) { name } }
          order: __type(name: "SortOrder") { enumValues { name } }
          audit: __type(name: "Audit") { name }
          types: __schema { types { name } }
        }""",
        None,
    ),
}

# Elements that are @inaccessible, or dropped from the API by enum/input intersection.
HIDDEN_NAMES = (
    "internalId",
    "weightGrams",
    "audit",
    "Audit",
    "createdBy",
    "includeSecret",
    "SECRET",
    "RANDOM",
    "NEAREST",
    "exclusive",
)

INVALID_OPERATIONS = {
    "inaccessible_field": "{ products { weightGrams } }",
    "inaccessible_key_field": "{ products { id internalId } }",
    "inaccessible_type_in_a_fragment": '{ product(id: "p1") { ... on Audit { createdBy } } }',
    "inaccessible_argument": "{ products(includeSecret: true) { id } }",
    "enum_value_missing_from_the_intersection": "{ products(order: RANDOM) { id } }",
    "input_field_missing_from_the_intersection": (
        "{ products(price: {min: 1, exclusive: true}) { id } }"
    ),
    "inaccessible_input_field": "{ warehouses(stock: {audit: true}) { id } }",
    "near_miss_of_an_inaccessible_field": "{ products { weightGram internalI } }",
}


@pytest.fixture(scope="module")
async def gateways(npm_tools: None) -> AsyncIterator[DifferentialGateways]:
    started = await start_differential_gateways(GRAPH)
    yield started
    await started.stop()


@pytest.fixture(scope="module")
def oracle() -> GraphQLSchema:
    return GRAPH.oracle_schema()


async def disagrees_with_the_oracle(
    gateways: DifferentialGateways,
    oracle: GraphQLSchema,
    query: str,
    variables: dict[str, Any] | None,
) -> str | None:
    async def send(operation: GeneratedOperation) -> dict[str, Any]:
        return (await gateways.ours(operation.query, operation.variables)).body

    found = await disagreement(send, oracle, GeneratedOperation(query, variables or {}))
    return None if found is None else found.describe()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_directives_match_apollo_gateway_and_the_oracle(
    gateways: DifferentialGateways, oracle: GraphQLSchema, case: str
) -> None:
    query, variables = CASES[case]
    ours, reference = await gateways.both(query, variables)

    assert reference.status == 200 and "errors" not in reference.body, reference.body
    assert_same_answers(ours, reference)
    assert await disagrees_with_the_oracle(gateways, oracle, query, variables) is None
    assert_no_more_requests(ours, reference)


async def test_an_inaccessible_enum_value_in_a_subgraph_answer_is_a_field_error(
    gateways: DifferentialGateways, oracle: GraphQLSchema
) -> None:
    # p9's category is SECRET, @inaccessible: the API's Category cannot represent it, so the
    # spec (3.9 Enums, result coercion) requires a field error; Category! nulls `product`.
    # @apollo/gateway nulls it too but reports the error under `extensions.valueCompletion`
    # instead of `errors` (not what the spec says); the oracle reports it in `errors`.
    query = '{ product(id: "p9") { id name category stock } }'
    ours, reference = await gateways.both(query)

    assert reference.data == {"product": None}
    [completion] = reference.body["extensions"]["valueCompletion"]
    assert completion["path"] == ["product", "category"]
    assert await disagrees_with_the_oracle(gateways, oracle, query, None) is None
    assert ours.data == reference.data
    assert [error.get("path") for error in ours.body["errors"]] == [["product", "category"]]
    assert_no_more_requests(ours, reference)


@pytest.mark.parametrize("case", sorted(INVALID_OPERATIONS))
async def test_hidden_elements_fail_validation_like_apollo_gateway(
    gateways: DifferentialGateways, oracle: GraphQLSchema, case: str
) -> None:
    # graphql-core and graphql-js word some validation messages differently (quotes, input
    # fields), so the codes and locations are compared, and no message may name what is hidden.
    query = INVALID_OPERATIONS[case]
    ours, reference = await gateways.both(query)

    assert (ours.status, reference.status) == (400, 400)
    assert "data" not in ours.body and "data" not in reference.body
    assert [(e["extensions"]["code"], e.get("locations")) for e in ours.body["errors"]] == [
        (e["extensions"]["code"], e.get("locations")) for e in reference.body["errors"]
    ]
    assert {e["extensions"]["code"] for e in ours.body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    for error in ours.body["errors"]:
        assert "Did you mean" not in error["message"], error
    assert await disagrees_with_the_oracle(gateways, oracle, query, None) is None
    assert ours.requests == []


def _without_meta_types(body: dict[str, Any]) -> list[dict[str, Any]]:
    types: list[dict[str, Any]] = body["data"]["__schema"]["types"]
    return [t for t in types if not t["name"].startswith("__")]


async def test_introspected_api_types_match_apollo_gateway(
    gateways: DifferentialGateways,
) -> None:
    # The meta types (__Schema, __Type, ...) differ between graphql-js (Apollo) and
    # graphql-core (ours and the oracle) versions, so only the API's own types are compared.
    ours, reference = await gateways.both(get_introspection_query(descriptions=True))

    assert (ours.status, reference.status) == (200, 200)
    assert _without_meta_types(ours.body) == _without_meta_types(reference.body)
    text = orjson.dumps(ours.body).decode()
    for hidden in HIDDEN_NAMES:
        assert f'"{hidden}"' not in text, hidden


async def test_full_introspection_matches_the_oracle(
    gateways: DifferentialGateways, oracle: GraphQLSchema
) -> None:
    query = get_introspection_query(descriptions=True, directive_is_repeatable=True)
    reference = await gateways.reference(query)

    assert [d["name"] for d in reference.body["data"]["__schema"]["directives"]] == [
        "include",
        "skip",
        "deprecated",
        "specifiedBy",
        "oneOf",
    ]
    assert await disagrees_with_the_oracle(gateways, oracle, query, None) is None


def test_supergraph_keeps_composed_and_demand_control_directives() -> None:
    supergraph = GRAPH.supergraph_path.read_text()

    assert '@link(url: "https://specs.ehb.dev/lowercase/v1.0", import: ["@lowercase"])' in (
        supergraph
    )
    assert "name: String! @join__field(graph: CATALOG) @lowercase" in supergraph
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])' in supergraph
    assert "shippingCents: Int! @join__field(graph: INVENTORY, requires: " in supergraph
    assert "@cost(weight: 10)" in supergraph
    assert '@listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)' in (
        supergraph
    )
    assert "products: [Product!]! @listSize(assumedSize: 50" in supergraph
    assert 'TOYS @join__enumValue(graph: CATALOG) @tag(name: "toys")' in supergraph
