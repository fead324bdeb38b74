"""Removed fields and fragments shape identically interpreted and compiled."""

from __future__ import annotations

from typing import Any

import pytest

from router.auth import Principal
from router.executor import QueryEngine
from router.executor.shape import Shaper
from tests.router.auth.test_authorization_filter import SUPERGRAPH, USER, InProcess

POSTS = [
    {"__typename": "PublicPost", "id": "1", "title": "a"},
    {"__typename": "PrivatePost", "id": "2", "title": "b"},
]


@pytest.mark.parametrize(
    ("document", "principal", "data"),
    [
        ("{ notice level }", USER, {"notice": "hi"}),
        ("{ notice posts { id title } }", None, {"notice": "hi"}),
        (
            "{ posts { __typename ... on PrivatePost { title } ... on PublicPost { id } } }",
            None,
            {"posts": POSTS},
        ),
        (
            "{ search { ... on PrivatePost { id } ... on PublicPost { title } } }",
            None,
            {"search": POSTS},
        ),
        ("{ search { ... on PrivatePost { id } } }", None, {}),
        ("{ level }", None, {}),
    ],
)
def test_denials_shape_identically(
    document: str, principal: Principal | None, data: dict[str, Any]
) -> None:
    engine = QueryEngine(SUPERGRAPH, InProcess())
    prepared = engine.prepare(document, None, principal=principal)
    interpreted_errors: list[dict[str, Any]] = []
    compiled_errors: list[dict[str, Any]] = []
    interpreted = Shaper(interpreted_errors).shape_root(data, prepared.shape_for(()))
    compiled = Shaper(compiled_errors).run_compiled(data, prepared.compiled_shape_for(()))
    assert (interpreted, interpreted_errors) == (compiled, compiled_errors)
    assert compiled_errors
