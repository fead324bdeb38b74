"""Demand control: estimated costs computed exactly from @cost/@listSize (the IBM cost spec's
example, Apollo Router's defaults), and the check against the maximum in both modes."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from graphql import parse

from router.errors import RequestError
from router.executor import QueryEngine
from router.operation.cost import CostEstimator, SlicingArgumentError
from router.operation.cost_directives import read_cost_directives
from router.operation.document import select_operation
from router.operation.guard import OperationGuard
from router.operation.limits import OperationLimits
from router.types import RequestContext
from tests.router.executor.fakes import RecordingFetcher
from tests.router.operation.cost_graph import library_supergraph

SUPERGRAPH = library_supergraph()
DEFAULT_LIST_SIZE = 10
ESTIMATOR = CostEstimator(
    SUPERGRAPH.api_schema, read_cost_directives(SUPERGRAPH.schema), DEFAULT_LIST_SIZE
)


def cost(document: str, variables: dict[str, Any] | None = None) -> int:
    """The estimate of a parsed (not validated) operation: the estimator needs no validation
    beyond the fields existing."""
    operation = select_operation(parse(document), None)
    return ESTIMATOR.estimate(operation, variables or {})


def test_the_ibm_spec_example() -> None:
    # users(max: 5) returns at most 5 User objects (1 each) whose age weighs 2.
    assert cost("query Example { users(max: 5) { age } }") == 5 * (1 + 2)
    assert cost("{ users(max: 5) { name } }") == 5 * 1


def test_a_slicing_argument_from_a_variable() -> None:
    assert cost("query ($n: Int) { users(max: $n) { age } }", {"n": 7}) == 7 * 3


def test_the_largest_slicing_argument_counts_and_a_default_applies() -> None:
    assert cost("{ books(first: 4) { title } }") == 4
    assert cost("{ books(first: 4, last: 8) { title } }") == 8
    assert cost("{ books { title } }") == 3  # last: Int = 3
    assert cost("{ books(first: null, last: null) { title } }") == DEFAULT_LIST_SIZE


def test_a_negative_slicing_argument_counts_as_zero_items() -> None:
    assert cost("{ users(max: -3) { age } }") == 0


def test_exactly_one_slicing_argument_is_required_by_default() -> None:
    with pytest.raises(SlicingArgumentError, match=r'"Query\.users" needs exactly one'):
        cost("{ users { name } }")


def test_assumed_size_and_type_weights() -> None:
    # 5 books, each 1 plus an Author weighing 4.
    assert cost("{ bestsellers { title author { name } } }") == 5 * (1 + 4)


def test_the_default_list_size_and_scalar_and_enum_weights() -> None:
    # Isbn weighs 7 and Genre 6; other scalars and enums nothing.
    assert cost("{ shelf { id title isbn genre } }") == DEFAULT_LIST_SIZE * (1 + 7 + 6)


def test_field_weights_and_free_fields() -> None:
    assert cost("{ expensive clock __typename }") == 20


def test_argument_weights_input_objects_and_lists() -> None:
    # 2 books (1 each); filter weighs 3 (instead of an input object's 1) plus minRating 5;
    # tags weighs 2 plus 2 per item.
    document = '{ search(filter: {title: "x", minRating: 3}, tags: ["a", "b"]) { id } }'
    assert cost(document) == 2 * 1 + (3 + 0 + 5) + (2 + 2 * 2)
    with_variables = "query ($f: Filter, $t: [String!]) { search(filter: $f, tags: $t) { id } }"
    values = {"f": {"title": "x", "minRating": 3}, "t": ["a", "b"]}
    assert cost(with_variables, values) == cost(document)
    assert cost(with_variables, {"f": None, "t": None}) == 2
    assert cost("{ search(filter: null) { id } }") == 2


def test_sized_fields_take_the_size_of_their_parent() -> None:
    # cursor is one BookConnection (1); its 3 edges are 1 each plus a Book (1); pageInfo 1.
    document = "{ cursor(first: 3) { edges { node { title } } pageInfo { hasNextPage } } }"
    assert cost(document) == 1 * (1 + 3 * (1 + 1) + 1)


def test_a_mutation_costs_ten_more() -> None:
    assert cost('mutation { addBook(title: "x") { id author { name } } }') == 10 + (1 + 4)


def test_a_subscription_costs_its_fields() -> None:
    assert cost("subscription { bookAdded { title author { name } } }") == 1 + 4


def test_skipped_and_excluded_fields_cost_nothing() -> None:
    document = "query ($s: Boolean!) { expensive @skip(if: $s) clock }"
    assert cost(document, {"s": True}) == 0
    assert cost(document, {"s": False}) == 20
    assert cost("{ expensive @include(if: false) }") == 0
    assert cost("{ ... @include(if: true) { expensive } }") == 20


def test_fragments_count_at_each_spread() -> None:
    document = '{ book(id: "1") { ...A ...A } } fragment A on Book { author { name } }'
    assert cost(document) == 1 + 4 + 4


def test_fragment_fan_out_is_costed_once_per_fragment() -> None:
    fragments = ["fragment F0 on Book { author { name } }"] + [
        f"fragment F{i} on Book {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)
    ]
    document = '{ book(id: "1") { ...F40 } } ' + " ".join(fragments)
    started = time.perf_counter()
    assert cost(document) == 1 + 4 * 2**40
    assert time.perf_counter() - started < 1


def guard(max_cost: int, mode: str = "enforce") -> OperationGuard:
    limits = OperationLimits(max_cost=max_cost, cost_mode=mode)  # type: ignore[arg-type]
    return OperationGuard(SUPERGRAPH.api_schema, SUPERGRAPH.schema, limits)


def test_a_cost_at_the_maximum_passes_and_above_it_is_refused_before_planning() -> None:
    document = "{ users(max: 5) { age } }"  # 15
    guard(15).load(document, None)
    with pytest.raises(RequestError) as raised:
        guard(14).load(document, None)
    [error] = raised.value.errors
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "estimatedCost": 15,
        "maxCost": 14,
    }
    assert "estimated cost is 15, more than the maximum of 14" in error["message"]


def test_a_cost_depending_on_variables_is_checked_for_each_execution() -> None:
    operation = guard(20).load("query ($n: Int) { users(max: $n) { age } }", None)
    demand = guard(20).demand(operation)
    assert demand is not None
    assert demand.check({"n": 6}) == 18
    with pytest.raises(RequestError) as raised:
        demand.check({"n": 7})
    assert raised.value.errors[0]["extensions"]["estimatedCost"] == 21
    assert demand.check({"n": 6}) == 18  # remembered verdicts stay right


def test_a_missing_slicing_argument_is_refused_with_apollos_code() -> None:
    with pytest.raises(RequestError) as raised:
        guard(1_000).load("{ users { name } }", None)
    assert raised.value.errors[0]["extensions"] == {"code": "COST_QUERY_PARSE_FAILURE"}
    assert (
        "needs exactly one of its slicing arguments (max), got 0"
        in (raised.value.errors[0]["message"])
    )


def test_measure_mode_logs_instead_of_refusing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="router.operation.demand"):
        operation = guard(14, "measure").load("query Pricey { users(max: 5) { age } }", None)
        demand = guard(14, "measure").demand(operation)
        assert demand is not None
        assert demand.check({}) == 15
        guard(14, "measure").load("{ users { name } }", None)
    messages = [record.getMessage() for record in caplog.records]
    assert any("Pricey" in message and "estimated cost is 15" in message for message in messages)
    assert any("needs exactly one of its slicing arguments" in message for message in messages)


def test_without_a_maximum_nothing_is_estimated() -> None:
    no_maximum = OperationGuard(SUPERGRAPH.api_schema, SUPERGRAPH.schema, OperationLimits())
    operation = no_maximum.load("{ users { name } }", None)  # would need a slicing argument
    assert no_maximum.demand(operation) is None


def test_the_engine_checks_each_execution_and_subscription_before_any_fetch() -> None:
    fetcher = RecordingFetcher({})
    engine = QueryEngine(SUPERGRAPH, fetcher, limits=OperationLimits(max_cost=20))
    context = RequestContext(headers={}, request_id="r", client_address="")
    query = engine.prepare("query ($n: Int) { users(max: $n) { age } }", None)
    with pytest.raises(RequestError) as raised:
        asyncio.run(engine.execute(query, {"n": 100}, context))
    assert raised.value.errors[0]["extensions"]["estimatedCost"] == 300
    subscription = engine.prepare("subscription { bookAdded { title } }", None)  # 1: fine
    engine.subscribe(subscription, {}, context)
    pricey = engine.prepare(
        "subscription ($s: Boolean!) { bookAdded { a: author { name } b: author { name } "
        "c: author { name } d: author { name } e: author @skip(if: $s) { name } } }",
        None,
    )
    engine.subscribe(pricey, {"s": True}, context)  # 1 + 4 * 4
    with pytest.raises(RequestError):
        engine.subscribe(pricey, {"s": False}, context)  # 1 + 5 * 4
    assert fetcher.requests == []
