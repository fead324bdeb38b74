"""Operation limits: each one at and over its boundary, measured with fragments expanded,
checked before validation (and so before planning), each refused with its own code."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from router.errors import RequestError
from router.executor import QueryEngine
from router.operation.limits import OperationLimits
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph

SUPERGRAPH = fixture_supergraph("benchmark")


def engine(**limits: Any) -> QueryEngine:
    return QueryEngine(
        SUPERGRAPH, RecordingFetcher({}), limits=replace(OperationLimits.unbounded(), **limits)
    )


def refused(query_engine: QueryEngine, document: str, operation_name: str | None = None) -> Any:
    with pytest.raises(RequestError) as raised:
        query_engine.prepare(document, operation_name)
    assert raised.value.status_code == 400
    return raised.value.errors


def nested(depth: int) -> str:
    """A query whose deepest field is at ``depth`` (root fields are at depth 1)."""
    chain = ["me"] + ["reviews" if level % 2 == 0 else "author" for level in range(depth - 2)]
    return "{ " + " { ".join(chain) + " { id" + " }" * (len(chain) + 1)


def test_depth_at_the_limit_is_accepted_and_one_more_is_refused() -> None:
    assert engine(max_depth=6).prepare(nested(6), None).operation_type == "query"
    [error] = refused(engine(max_depth=6), nested(7))
    assert error["extensions"] == {"code": "MAX_DEPTH_EXCEEDED", "limit": 6, "measured": 7}
    assert "7 deep" in error["message"] and "limit of 6" in error["message"]


def test_depth_counts_the_fields_of_spread_and_inline_fragments() -> None:
    document = "{ me { ... on User { ...R } } } fragment R on User { reviews { author { id } } }"
    engine(max_depth=4).prepare(document, None)
    [error] = refused(engine(max_depth=3), document)
    assert error["extensions"]["measured"] == 4


def test_aliases_count_once_per_spread_of_their_fragment() -> None:
    document = "{ me { ...A } users { ...A } } fragment A on User { a: id b: name }"
    engine(max_aliases=4).prepare(document, None)
    [error] = refused(engine(max_aliases=3), document)
    assert error["extensions"] == {"code": "MAX_ALIASES_EXCEEDED", "limit": 3, "measured": 4}


def test_root_fields_include_those_of_fragments_on_the_root_type() -> None:
    document = "{ __typename ...Q } fragment Q on Query { me { id } users { id } }"
    engine(max_root_fields=3).prepare(document, None)
    [error] = refused(engine(max_root_fields=2), document)
    assert error["extensions"] == {"code": "MAX_ROOT_FIELDS_EXCEEDED", "limit": 2, "measured": 3}
    assert "split it into several operations" in error["message"]


def test_a_root_field_selected_by_several_fragments_counts_once() -> None:
    document = (
        "{ ...A ...B ...A } fragment A on Query { me { id } } fragment B on Query { me { name } }"
    )
    engine(max_root_fields=1).prepare(document, None)
    [error] = refused(engine(max_root_fields=1, max_fields=5), document)
    # the other limits still count every expansion: me { id } twice, me { name } once
    assert error["extensions"] == {"code": "MAX_FIELDS_EXCEEDED", "limit": 5, "measured": 6}


def test_many_spreads_of_the_same_root_fields_count_their_distinct_fields() -> None:
    document = "{ " + "...Q " * 21 + "} fragment Q on Query { me { id } users { id } }"
    engine(max_root_fields=2).prepare(document, None)
    [error] = refused(engine(max_root_fields=1), document)
    assert error["extensions"] == {"code": "MAX_ROOT_FIELDS_EXCEEDED", "limit": 1, "measured": 2}
    assert "selects 2 root fields" in error["message"]


def test_the_same_root_field_selected_twice_counts_once() -> None:
    document = "{ me { id } me { name } me: me { reviews { id } } }"
    engine(max_root_fields=1).prepare(document, None)


def test_each_alias_at_the_root_is_a_root_field_of_its_own() -> None:
    document = "{ me { id } a: me { id } b: me { name } ...A } fragment A on Query { a: me { id } }"
    engine(max_root_fields=3).prepare(document, None)
    [error] = refused(engine(max_root_fields=2), document)
    assert error["extensions"] == {"code": "MAX_ROOT_FIELDS_EXCEEDED", "limit": 2, "measured": 3}


def test_root_fields_of_fragments_nested_in_inline_fragments_on_the_root_type() -> None:
    document = (
        "{ ... on Query { ...Q ... { me { id } } } ... @include(if: true) { topProducts { upc } } }"
        " fragment Q on Query { me { name } ...U }"
        " fragment U on Query { ... on Query { users { id } me { id } } }"
    )
    engine(max_root_fields=3).prepare(document, None)
    [error] = refused(engine(max_root_fields=2), document)
    assert error["extensions"] == {"code": "MAX_ROOT_FIELDS_EXCEEDED", "limit": 2, "measured": 3}


def test_a_fragment_cycle_at_the_root_is_left_to_validation() -> None:
    cycle = (
        "{ ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A users { id } }"
    )
    assert refused(engine(max_root_fields=5), cycle)[0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )


def test_fields_are_counted_with_fragments_expanded() -> None:
    # me, id, reviews, (id, body) twice through R: 7 fields
    document = "{ me { id reviews { ...R ...R } } } fragment R on Review { id body }"
    engine(max_fields=7).prepare(document, None)
    [error] = refused(engine(max_fields=6), document)
    assert error["extensions"] == {"code": "MAX_FIELDS_EXCEEDED", "limit": 6, "measured": 7}


def test_fragment_fan_out_is_measured_at_once_and_refused_before_validation() -> None:
    # F0 has two fields; each F(i) spreads F(i-1) twice: 2**61 fields once expanded.
    fragments = ["fragment F0 on User { id name }"] + [
        f"fragment F{i} on User {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 61)
    ]
    document = "{ me { ...F60 } } " + " ".join(fragments)
    started = time.perf_counter()
    errors = refused(engine(max_fields=2_000), document)
    assert time.perf_counter() - started < 1
    assert [error["extensions"]["code"] for error in errors] == ["MAX_FIELDS_EXCEEDED"]
    assert "measured" not in errors[0]["extensions"]  # too large to be worth showing
    assert "more than 1000000000000000 fields" in errors[0]["message"]


def test_every_exceeded_limit_is_reported() -> None:
    errors = refused(engine(max_depth=1, max_aliases=0, max_fields=1), "{ a: me { id } }")
    assert [error["extensions"]["code"] for error in errors] == [
        "MAX_DEPTH_EXCEEDED",
        "MAX_ALIASES_EXCEEDED",
        "MAX_FIELDS_EXCEEDED",
    ]


def test_fragment_cycles_and_unknown_fragments_are_left_to_validation() -> None:
    cycle = "{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }"
    assert refused(engine(max_depth=5), cycle)[0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    unknown = "{ me { ...Nowhere } }"
    assert refused(engine(max_depth=5), unknown)[0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )


def test_a_fragment_chain_longer_than_the_recursion_limit_is_measured() -> None:
    length = 3_000
    fragments = " ".join(
        f"fragment F{i} on User {{ reviews {{ author {{ ...F{i + 1} }} }} }}" for i in range(length)
    )
    document = f"{{ me {{ ...F0 }} }} {fragments} fragment F{length} on User {{ id }}"
    [error] = refused(engine(max_depth=15), document)
    assert error["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    assert error["extensions"]["measured"] == 2 * length + 2


def test_an_unknown_operation_name_is_still_a_bad_request_after_measuring_every_operation() -> None:
    document = "query A { me { id } } query B { users { id } }"
    assert refused(engine(max_depth=2), document, "C")[0]["extensions"]["code"] == "BAD_REQUEST"
    [error] = refused(engine(max_depth=1), document, "C")
    assert error["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"


def test_only_the_selected_operation_is_measured() -> None:
    document = f"query Small {{ me {{ id }} }} query Deep {nested(8)}"
    engine(max_depth=2).prepare(document, "Small")
    assert refused(engine(max_depth=2), document, "Deep")[0]["extensions"]["measured"] == 8


def test_tokens_at_the_limit_are_parsed_and_one_more_is_refused() -> None:
    engine(max_tokens=6).prepare("{ me { id } }", None)  # { me { id } }: 6 tokens
    [error] = refused(engine(max_tokens=6), "{ me { id name } }")
    assert error["extensions"] == {"code": "MAX_TOKENS_EXCEEDED", "limit": 6}
    assert "more than 6 tokens" in error["message"]


def test_document_bytes_are_counted_in_utf8() -> None:
    document = "{ me { id } } # café"  # 21 bytes, 20 characters
    engine(max_document_bytes=21).prepare(document, None)
    [error] = refused(engine(max_document_bytes=20), document)
    assert error["extensions"] == {
        "code": "MAX_DOCUMENT_SIZE_EXCEEDED",
        "limit": 20,
        "measured": 21,
    }


def test_syntax_errors_keep_their_code_under_a_token_limit() -> None:
    [error] = refused(engine(max_tokens=100), "{ me { id ")
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_the_default_limits_accept_the_introspection_query_and_the_benchmark_query() -> None:
    from graphql import get_introspection_query

    from tests.fixtures.benchmark.data import FIXTURE_DIR

    default_engine = QueryEngine(SUPERGRAPH, RecordingFetcher({}))
    default_engine.prepare(get_introspection_query(descriptions=True), None)
    default_engine.prepare((FIXTURE_DIR / "query.graphql").read_text(), None)
