"""Unusable requests fail as a whole with a 400 and a stable extensions.code."""

from __future__ import annotations

from typing import Any

import pytest

from router.errors import RequestError
from router.executor import QueryEngine
from router.types import RequestContext
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph

SUPERGRAPH = fixture_supergraph("benchmark")


def engine() -> QueryEngine:
    return QueryEngine(SUPERGRAPH, RecordingFetcher({}))


def codes(error: RequestError) -> list[str]:
    return [e["extensions"]["code"] for e in error.errors]


def test_unparsable_document_is_graphql_parse_failed() -> None:
    with pytest.raises(RequestError) as raised:
        engine().prepare("{ me { name ", None)
    assert raised.value.status_code == 400
    assert codes(raised.value) == ["GRAPHQL_PARSE_FAILED"]
    assert raised.value.errors[0]["locations"] == [{"line": 1, "column": 13}]


def test_unknown_field_is_graphql_validation_failed() -> None:
    with pytest.raises(RequestError) as raised:
        engine().prepare("{ me { nope } }", None)
    assert raised.value.status_code == 400
    assert codes(raised.value) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "nope" in raised.value.errors[0]["message"]


def test_join_machinery_is_not_queryable() -> None:
    with pytest.raises(RequestError) as raised:
        engine().prepare("{ _entities(representations: []) { __typename } }", None)
    assert codes(raised.value) == ["GRAPHQL_VALIDATION_FAILED"]


def test_every_validation_error_is_reported() -> None:
    with pytest.raises(RequestError) as raised:
        engine().prepare("{ me { nope } users { alsoNope } }", None)
    assert codes(raised.value) == ["GRAPHQL_VALIDATION_FAILED"] * 2


def test_unknown_operation_name_is_bad_request() -> None:
    with pytest.raises(RequestError) as raised:
        engine().prepare("query A { me { id } }", "B")
    assert codes(raised.value) == ["BAD_REQUEST"]
    assert raised.value.status_code == 400


def test_several_operations_without_a_name_is_bad_request() -> None:
    with pytest.raises(RequestError) as raised:
        engine().prepare("query A { me { id } } query B { users { id } }", None)
    assert codes(raised.value) == ["BAD_REQUEST"]


def test_operation_is_selected_by_name() -> None:
    prepared = engine().prepare("query A { me { id } } query B { users { id } }", "A")
    assert prepared.operation_type == "query"


@pytest.mark.parametrize(
    "variables",
    [{}, {"id": None}, {"id": {"not": "an id"}}],
    ids=["missing", "null", "object"],
)
async def test_variables_that_do_not_fit_are_bad_user_input_before_any_fetch(
    variables: dict[str, Any],
) -> None:
    fetcher = RecordingFetcher({})
    query_engine = QueryEngine(SUPERGRAPH, fetcher)
    prepared = query_engine.prepare("query Q($id: ID!) { user(id: $id) { name } }", None)
    with pytest.raises(RequestError) as raised:
        await query_engine.execute(prepared, variables, RequestContext())
    assert codes(raised.value) == ["BAD_USER_INPUT"]
    assert raised.value.status_code == 400
    assert fetcher.requests == []
