"""Introspection on or off, and the scope that lets admins introspect while it is off."""

from __future__ import annotations

import pytest

from router.auth.principal import Principal
from router.errors import RequestError
from router.executor import QueryEngine
from router.operation.limits import OperationLimits
from tests.router.executor.fakes import RecordingFetcher, fixture_supergraph

SUPERGRAPH = fixture_supergraph("benchmark")
ADMIN = Principal(subject="root", scopes=frozenset({"admin", "read"}))
READER = Principal(subject="reader", scopes=frozenset({"read"}))
SCHEMA_QUERY = "{ __schema { queryType { name } } }"


def engine(*, introspection: bool, scope: str | None = None) -> QueryEngine:
    limits = OperationLimits(introspection=introspection, introspection_scope=scope)
    return QueryEngine(SUPERGRAPH, RecordingFetcher({}), limits=limits)


def refused(query_engine: QueryEngine, document: str, principal: Principal | None) -> str:
    with pytest.raises(RequestError) as raised:
        query_engine.prepare(document, None, principal=principal)
    [error] = raised.value.errors
    assert error["extensions"] == {"code": "INTROSPECTION_DISABLED"}
    assert raised.value.status_code == 400
    return str(error["message"])


def test_introspection_is_answered_while_enabled() -> None:
    assert engine(introspection=True).prepare(SCHEMA_QUERY, None).introspection.present


@pytest.mark.parametrize(
    "document",
    [
        SCHEMA_QUERY,
        '{ __type(name: "User") { name } }',
        "{ me { id } __schema { types { name } } }",
        "{ ...Q } fragment Q on Query { ... on Query { __schema { types { name } } } }",
    ],
)
def test_every_introspection_field_is_refused_while_disabled(document: str) -> None:
    message = refused(engine(introspection=False), document, ADMIN)
    assert message == (
        "Introspection is disabled on this router for this caller: "
        "remove __schema and __type from the operation"
    )


@pytest.mark.parametrize("document", ["{ __typename }", "{ me { __typename id } }"])
def test_typename_is_never_introspection(document: str) -> None:
    engine(introspection=False).prepare(document, None)


def test_the_scope_lets_its_holders_introspect() -> None:
    query_engine = engine(introspection=False, scope="admin")
    query_engine.prepare(SCHEMA_QUERY, None, principal=ADMIN)
    # The plan is cached now: the check still runs for every caller.
    # Which scope opens it is not told.
    assert "admin" not in refused(query_engine, SCHEMA_QUERY, READER)
    refused(query_engine, SCHEMA_QUERY, None)
    query_engine.prepare(SCHEMA_QUERY, None, principal=ADMIN)


def test_settings_from_the_environment() -> None:
    assert OperationLimits.from_env({}).introspection
    assert not OperationLimits.from_env({"EHB_ROUTER_ENV": "production"}).introspection
    assert not OperationLimits.from_env({"EHB_ENV": "production"}).introspection
    assert not OperationLimits.from_env({"EHB_ROUTER_INTROSPECTION": "0"}).introspection
    allowed = OperationLimits.from_env(
        {
            "EHB_ROUTER_ENV": "production",
            "EHB_ROUTER_INTROSPECTION": "1",
            "EHB_ROUTER_INTROSPECTION_SCOPE": " admin ",
        }
    )
    assert allowed.introspection and allowed.introspection_scope == "admin"
    with pytest.raises(ValueError, match="EHB_ROUTER_INTROSPECTION must be 1 or 0"):
        OperationLimits.from_env({"EHB_ROUTER_INTROSPECTION": "maybe"})
