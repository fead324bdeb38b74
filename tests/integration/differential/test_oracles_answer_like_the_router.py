"""Each graph's oracle (one plain graphql-core schema over the graph's data) answers hand-written
operations covering the graph's features like our router over the real subgraphs: the same
`data`, and errors on both sides or on neither. The operations are those of the feature tests
against @apollo/gateway plus a few of our own (missing and unresolvable entities, aliases over
key and required fields, enabled override labels)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLSchema

from router.config import RouterConfig
from tests.fixtures.benchmark.data import FIXTURE_DIR as BENCHMARK_DIR
from tests.fixtures.benchmark.graph import BENCHMARK_GRAPH
from tests.fixtures.differential.operations import GeneratedOperation
from tests.fixtures.differential.runner import RouterOverGraph, disagreement, start_router_over
from tests.fixtures.features.abstract.subgraphs import GRAPH as ABSTRACT
from tests.fixtures.features.context.subgraphs import GRAPH as CONTEXT
from tests.fixtures.features.harness import FeatureGraph
from tests.fixtures.features.keys.subgraphs import GRAPH as KEYS
from tests.fixtures.features.mutations.subgraphs import GRAPH as MUTATIONS
from tests.fixtures.features.override.oracle import BETA_PRICING, BETA_SHIPPING
from tests.fixtures.features.override.oracle import build as override_oracle
from tests.fixtures.features.override.subgraphs import GRAPH as OVERRIDE
from tests.fixtures.features.requires.subgraphs import GRAPH as REQUIRES
from tests.integration.benchmark.test_benchmark_against_apollo_gateway import SAME_DATA_CASES
from tests.integration.features.test_abstract_types_against_apollo_gateway import (
    CASES as ABSTRACT_CASES,
)
from tests.integration.features.test_keys_against_apollo_gateway import CASES as KEYS_CASES
from tests.integration.features.test_mutations_and_variables_against_apollo_gateway import (
    CASES as MUTATIONS_CASES,
)
from tests.integration.features.test_requires_provides_against_apollo_gateway import (
    CASES as REQUIRES_CASES,
)
from tests.integration.features.test_requires_provides_against_apollo_gateway import (
    VARIABLES as REQUIRES_VARIABLES,
)

Variables = dict[str, Any] | None
LABELS = frozenset({BETA_PRICING, BETA_SHIPPING})


@dataclass(frozen=True)
class Target:
    """A graph served by our router (with a configuration) and the oracle it must match."""

    graph: FeatureGraph
    config: RouterConfig | None = None
    oracle: Callable[[], GraphQLSchema] | None = None

    def fresh_oracle(self) -> GraphQLSchema:
        self.graph.reset()
        if self.oracle is not None:
            return self.oracle()
        return self.graph.oracle_schema()


TARGETS: dict[str, Target] = {
    "abstract": Target(ABSTRACT),
    "keys": Target(KEYS),
    "requires": Target(REQUIRES),
    "mutations": Target(MUTATIONS),
    "context": Target(CONTEXT),
    "override": Target(OVERRIDE),
    "override_labelled": Target(
        OVERRIDE,
        RouterConfig(health_probe_timeout_seconds=1.0, override_labels=LABELS),
        lambda: override_oracle(OVERRIDE.api_schema_path.read_text(), LABELS),
    ),
    "benchmark": Target(BENCHMARK_GRAPH),
}


def _cases(target: str, cases: Mapping[str, str | tuple[str, Variables]]) -> list[Any]:
    listed = []
    for name, case in cases.items():
        query, variables = case if isinstance(case, tuple) else (case, None)
        listed.append(pytest.param(target, query, variables, id=f"{target}-{name}"))
    return listed


KEYS_OWN = {
    "ghost_key_fields_and_typename_need_no_entity": """
        { reviews(includeGhost: true) { id product { __typename id sku } author { id } } }
    """,
    "ghost_product_nullable_field_only": """
        { reviews(includeGhost: true) { id product { stock } } }
    """,
    "ghost_author_organization_name_bubbles_to_author": """
        { reviews(includeGhost: true) { id author { organization { id name } } } }
    """,
    "aliases_over_key_fields": """
        { reviews { upc: id sku: body product { id: sku sku: id upc: name stock } } }
    """,
    "restock_key_fields_and_warehouse": "{ restock { upc warehouse stock name } }",
    "missing_stock_entity_without_non_null_field": "{ products { id sku stock } }",
}
REQUIRES_OWN = {
    "unknown_product_is_null": '{ product(id: "p404") { id name shippingEstimate } }',
    "nullable_variable_with_default_fills_a_non_null_argument": """
        query ($id: ID = "p1", $unused: String = "EU") { product(id: $id) { id } }
    """,
    "product_without_weight_or_dimensions": """
        { product(id: "p3") { shippingEstimate deliveryNote packaging shippingCost(zone: "US") } }
    """,
    "aliases_over_required_fields": """
        query ($zone: String!) {
            reviews { product {
                weight: name price: shippingEstimate dimensions: packaging
                shippingEstimate: deliveryNote sku: shippingCost(zone: $zone)
            } }
        }
    """,
}
MUTATIONS_OWN = {
    "order_for_an_unknown_user_nulls_the_whole_answer": (
        """
        mutation {
            ok: createUser(input: {name: "Ivy"}) { id seq }
            placeOrder(input: {userId: "u404", lines: [{sku: "Y"}]}) { id buyer { name } }
        }
        """,
        None,
    ),
    "order_for_an_unknown_user_has_orders_but_no_name": (
        """
        mutation {
            placeOrder(input: {userId: "u404", lines: []}) { id buyer { id orders { seq } } }
        }
        """,
        None,
    ),
    "query_after_nothing_changed": ("{ users { id name seq orders { id status } } }", None),
}
CONTEXT_CASES = {
    "each_item_priced_in_its_shops_currency": "{ ts { id us { name price } } }",
    "context_field_also_selected": "{ ts { currency us { price } } }",
    "aliases_over_the_context_field": """
        { ts { id: currency currency: id us { id: price name } } billingVersion }
    """,
    "typename_and_fragments": """
        { __typename ts { __typename ...Shop } }
        fragment Shop on T { us { __typename ... on U { id price } } }
    """,
    "price_under_skip": """
        query ($skip: Boolean!) { ts { us { price @skip(if: $skip) name } } }
    """,
}
OVERRIDE_CASES = {
    "overridden_fields": "{ products { id name price shippingCost } }",
    "overridden_fields_only": "{ products { shippingCost price } pricingVersion }",
    "aliases_over_the_required_field": "{ products { weight: shippingCost price: weight } }",
}
BENCHMARK_OWN = {
    "the_benchmark_query": ((BENCHMARK_DIR / "query.graphql").read_text(), None),
    "unknown_user_reviews": ('{ user(id: "999") { reviews { id } } }', None),
    "nullable_variable_with_default_fills_a_non_null_argument": (
        'query ($id: ID = "1") { user(id: $id) { id name } }',
        None,
    ),
    "top_products_null_and_zero": (
        "{ a: topProducts(first: null) { upc } b: topProducts(first: 0) { upc } }",
        None,
    ),
    "aliases_over_key_and_required_fields": (
        """
        { topProducts(first: 9) {
            upc: name price: shippingEstimate weight: upc shippingEstimate: price inStock
        } }
        """,
        None,
    ),
    "provided_username_and_fetched_name": (
        "{ me { reviews { author { username name birthday } } } }",
        None,
    ),
}

CASES = [
    *_cases("abstract", ABSTRACT_CASES),
    *_cases("keys", {**KEYS_CASES, **KEYS_OWN}),
    *_cases(
        "requires",
        {name: (query, REQUIRES_VARIABLES.get(name)) for name, query in REQUIRES_CASES.items()},
    ),
    *_cases("requires", {n: (q, {"zone": "EU"}) for n, q in REQUIRES_OWN.items()}),
    *_cases("mutations", {**MUTATIONS_CASES, **MUTATIONS_OWN}),
    *_cases("context", CONTEXT_CASES),
    *_cases("override", OVERRIDE_CASES),
    *_cases("override_labelled", OVERRIDE_CASES),
    *_cases("benchmark", {**SAME_DATA_CASES, **BENCHMARK_OWN}),
]


@pytest.fixture(scope="module")
async def routers() -> AsyncIterator[dict[str, RouterOverGraph]]:
    started: dict[str, RouterOverGraph] = {}
    for name, target in TARGETS.items():
        started[name] = await start_router_over(target.graph, target.config)
    yield started
    for router in started.values():
        await router.stop()


@pytest.mark.parametrize(("target", "query", "variables"), CASES)
async def test_the_oracle_answers_like_the_router(
    routers: dict[str, RouterOverGraph], target: str, query: str, variables: Variables
) -> None:
    oracle = TARGETS[target].fresh_oracle()

    found = await disagreement(
        routers[target].send, oracle, GeneratedOperation(query, variables or {})
    )

    if found is not None:
        pytest.fail(found.describe())
