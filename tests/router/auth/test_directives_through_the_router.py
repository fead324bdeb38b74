"""@authenticated, @requiresScopes and @policy enforced by the router before planning, through
real HTTP: the router in front of two Strawberry subgraphs and a token issuer's JWKS."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fixtures.authorization.platform import (
    AuthorizationPlatform,
    start_authorization_platform,
)
from tests.fixtures.authorization.subgraphs import GRAPH, STATE


@pytest.fixture(scope="module")
async def platform() -> AsyncIterator[AuthorizationPlatform]:
    started = await start_authorization_platform()
    yield started
    await started.stop()


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    GRAPH.reset()


def errors_by_path(body: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {
        ".".join(str(p) for p in error.get("path", [])): error["extensions"]["code"]
        for error in body.get("errors", [])
    }


async def test_an_anonymous_caller_gets_null_and_unauthenticated_for_an_authenticated_field(
    platform: AuthorizationPlatform,
) -> None:
    status, body, _ = await platform.ask("{ publicNotice me { name } }")
    assert status == 200
    assert body["data"] == {"publicNotice": "welcome", "me": None}
    [error] = body["errors"]
    assert error["path"] == ["me"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Query.me" in error["message"]


async def test_a_signed_in_caller_sees_the_authenticated_field(
    platform: AuthorizationPlatform,
) -> None:
    status, body, _ = await platform.ask(
        "{ publicNotice me { name email } }", token=platform.issuer.token()
    )
    assert status == 200
    assert body == {
        "data": {"publicNotice": "welcome", "me": {"name": "Ann", "email": "ann@example.com"}}
    }


async def test_an_authenticated_field_deep_in_a_list_is_null_at_each_path(
    platform: AuthorizationPlatform,
) -> None:
    _, body, _ = await platform.ask("{ users { name email } }")
    assert body["data"] == {
        "users": [{"name": "Ann", "email": None}, {"name": "Bob", "email": None}]
    }
    assert errors_by_path(body) == {
        "users.0.email": "UNAUTHENTICATED",
        "users.1.email": "UNAUTHENTICATED",
    }


async def test_requires_scopes_without_the_scope_is_null_and_forbidden(
    platform: AuthorizationPlatform,
) -> None:
    token = platform.issuer.token()  # a plain user: no support, no admin
    _, body, _ = await platform.ask("{ publicNotice staffNote }", token=token)
    assert body["data"] == {"publicNotice": "welcome", "staffNote": None}
    [error] = body["errors"]
    assert error["path"] == ["staffNote"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "Query.staffNote" in error["message"] and "support" in error["message"]


async def test_requires_scopes_without_a_token_is_unauthenticated(
    platform: AuthorizationPlatform,
) -> None:
    _, body, _ = await platform.ask("{ staffNote }")
    assert body["data"] == {"staffNote": None}
    assert errors_by_path(body) == {"staffNote": "UNAUTHENTICATED"}


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [("support", True), ("admin", True), ("seller", False), ("", False)],
)
async def test_alternative_scopes_are_an_or(
    platform: AuthorizationPlatform, scope: str, allowed: bool
) -> None:
    _, body, _ = await platform.ask("{ staffNote }", token=platform.issuer.token(scope=scope))
    assert body["data"] == {"staffNote": "staff only" if allowed else None}
    assert ("errors" in body) is not allowed


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("admin support", True),
        ("support admin profile", True),
        ("admin", False),
        ("support", False),
    ],
)
async def test_scopes_in_one_list_are_an_and(
    platform: AuthorizationPlatform, scope: str, allowed: bool
) -> None:
    _, body, _ = await platform.ask("{ auditTrail }", token=platform.issuer.token(scope=scope))
    assert body["data"] == {"auditTrail": ["login u1", "login u2"] if allowed else None}
    assert ("errors" in body) is not allowed


async def test_a_protected_type_reached_through_another_subgraphs_entity_field(
    platform: AuthorizationPlatform,
) -> None:
    query = "{ products { title seller { name wallet { balance } } recipe { steps } } }"
    _, body, _ = await platform.ask(query, token=platform.issuer.token(scope="profile"))
    assert body["data"] == {
        "products": [
            {"title": "bread", "seller": {"name": "Ann", "wallet": None}, "recipe": None},
            {"title": "cake", "seller": {"name": "Bob", "wallet": None}, "recipe": None},
        ]
    }
    assert errors_by_path(body) == {
        "products.0.seller.wallet": "FORBIDDEN",
        "products.1.seller.wallet": "FORBIDDEN",
        "products.0.recipe": "FORBIDDEN",
        "products.1.recipe": "FORBIDDEN",
    }
    _, body, _ = await platform.ask(query, token=platform.issuer.token(scope="wallets seller"))
    assert "errors" not in body
    assert body["data"]["products"][1] == {
        "title": "cake",
        "seller": {"name": "Bob", "wallet": {"balance": 75}},
        "recipe": {"steps": ["mix", "bake"]},
    }


async def test_a_protected_scalar_type(platform: AuthorizationPlatform) -> None:
    _, body, _ = await platform.ask("{ me { name taxId } }", token=platform.issuer.token())
    assert body["data"] == {"me": {"name": "Ann", "taxId": None}}
    assert errors_by_path(body) == {"me.taxId": "FORBIDDEN"}
    _, body, _ = await platform.ask("{ me { taxId } }", token=platform.issuer.token(scope="admin"))
    assert body == {"data": {"me": {"taxId": "T-u1"}}}


async def test_a_non_null_protected_field_bubbles_to_the_nearest_nullable_parent(
    platform: AuthorizationPlatform,
) -> None:
    _, body, _ = await platform.ask(
        "{ products { title seller { name ssn } } }", token=platform.issuer.token()
    )
    assert body["data"] == {
        "products": [{"title": "bread", "seller": None}, {"title": "cake", "seller": None}]
    }
    assert errors_by_path(body) == {
        "products.0.seller.ssn": "FORBIDDEN",
        "products.1.seller.ssn": "FORBIDDEN",
    }


async def test_a_non_null_protected_field_can_null_the_whole_data(
    platform: AuthorizationPlatform,
) -> None:
    query = "{ publicNotice users { name ssn } }"
    _, body, _ = await platform.ask(query, token=platform.issuer.token())
    assert body["data"] is None
    # The first null in the non-null list ends its completion, as in graphql-js.
    assert errors_by_path(body) == {"users.0.ssn": "FORBIDDEN"}


async def test_a_field_whose_whole_selection_is_removed_is_removed_too(
    platform: AuthorizationPlatform,
) -> None:
    """No empty selection set reaches a subgraph: ``users { ssn }`` loses ``users`` itself."""
    _, body, _ = await platform.ask("{ publicNotice me { ssn } }", token=platform.issuer.token())
    assert body["data"] == {"publicNotice": "welcome", "me": None}
    [error] = body["errors"]
    assert error["path"] == ["me"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == (
        "Field Query.me has nothing left to select: Field User.ssn requires scope admin"
    )
    assert len(STATE.seen_authorization) == 1  # publicNotice's: me was never resolved


async def test_policy_from_configured_claim_rules(platform: AuthorizationPlatform) -> None:
    _, body, _ = await platform.ask("{ mfaSecret }", token=platform.issuer.token(amr=["pwd"]))
    assert body["data"] == {"mfaSecret": None}
    assert errors_by_path(body) == {"mfaSecret": "FORBIDDEN"}
    assert "policy mfa" in body["errors"][0]["message"]
    _, body, _ = await platform.ask(
        "{ mfaSecret }", token=platform.issuer.token(amr=["pwd", "otp"])
    )
    assert body == {"data": {"mfaSecret": "otp-protected"}}


async def test_a_removed_mutation_field_is_not_executed(platform: AuthorizationPlatform) -> None:
    status, body, _ = await platform.ask(
        "mutation { touch resetAll again: touch }", token=platform.issuer.token()
    )
    assert status == 200
    assert body["data"] is None  # resetAll is Int!: its null reaches the root
    assert errors_by_path(body) == {"resetAll": "FORBIDDEN"}
    assert (STATE.touched, STATE.resets) == (2, 0)
    _, body, _ = await platform.ask(
        "mutation { resetAll }", token=platform.issuer.token(scope="admin")
    )
    assert body == {"data": {"resetAll": 1}}
    assert STATE.resets == 1


async def test_a_fully_removed_mutation_sends_nothing_to_subgraphs(
    platform: AuthorizationPlatform,
) -> None:
    _, body, _ = await platform.ask("mutation { resetAll }")
    assert body["data"] is None
    assert errors_by_path(body) == {"resetAll": "UNAUTHENTICATED"}
    assert STATE.resets == 0


async def test_callers_with_different_scopes_never_share_a_filtered_plan(
    platform: AuthorizationPlatform,
) -> None:
    query = "{ staffNote auditTrail publicNotice }"
    outcomes = []
    for scope in ["admin support", "support", "", "admin support", "admin"]:
        _, body, _ = await platform.ask(query, token=platform.issuer.token(scope=scope))
        outcomes.append(body["data"])
    _, anonymous, _ = await platform.ask(query)
    full = {
        "staffNote": "staff only",
        "auditTrail": ["login u1", "login u2"],
        "publicNotice": "welcome",
    }
    assert outcomes == [
        full,
        {**full, "auditTrail": None},
        {**full, "auditTrail": None, "staffNote": None},
        full,
        {**full, "auditTrail": None},
    ]
    assert anonymous["data"] == {"staffNote": None, "auditTrail": None, "publicNotice": "welcome"}
    assert set(errors_by_path(anonymous).values()) == {"UNAUTHENTICATED"}


async def test_introspection_is_not_filtered(platform: AuthorizationPlatform) -> None:
    _, body, _ = await platform.ask('{ __type(name: "Query") { fields { name } } }')
    assert "errors" not in body
    names = {field["name"] for field in body["data"]["__type"]["fields"]}
    assert {"me", "staffNote", "auditTrail", "mfaSecret"} <= names


async def test_the_token_is_forwarded_to_subgraphs(platform: AuthorizationPlatform) -> None:
    token = platform.issuer.token()
    _, body, _ = await platform.ask("{ seenAuthorization me { name } }", token=token)
    assert body["data"] == {"seenAuthorization": f"Bearer {token}", "me": {"name": "Ann"}}
    assert STATE.seen_authorization == [f"Bearer {token}", f"Bearer {token}"]


@pytest.mark.parametrize(
    "attack",
    ["alg_none", "hs256", "expired", "wrong_audience", "wrong_issuer", "tampered", "unknown_key"],
)
async def test_a_bad_token_is_refused_with_401(
    platform: AuthorizationPlatform, attack: str
) -> None:
    from tests.fixtures.authorization.issuer import new_key, tampered

    issuer = platform.issuer
    token = {
        "alg_none": lambda: issuer.unsigned_token(),
        "hs256": lambda: issuer.hs256_token(),
        "expired": lambda: issuer.token(iat=1_000, exp=2_000),
        "wrong_audience": lambda: issuer.token(aud="elsewhere"),
        "wrong_issuer": lambda: issuer.token(iss="mallory"),
        "tampered": lambda: tampered(issuer.token(), scope="admin"),
        "unknown_key": lambda: issuer.token(key=new_key()),
    }[attack]()
    status, body, headers = await platform.ask("{ publicNotice }", token=token)
    assert status == 401
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"].startswith("Invalid access token: ")
    assert headers["www-authenticate"].startswith("Bearer")
    assert STATE.seen_authorization == []  # no subgraph was asked anything


@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", "Basic dXNlcjpwdw==", "token abc"])
async def test_a_malformed_authorization_header_is_refused(
    platform: AuthorizationPlatform, header: str
) -> None:
    status, body, _ = await platform.ask("{ publicNotice }", authorization=header)
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_rotated_key_is_picked_up(platform: AuthorizationPlatform) -> None:
    platform.issuer.rotate()
    _, body, _ = await platform.ask("{ me { name } }", token=platform.issuer.token())
    assert body == {"data": {"me": {"name": "Ann"}}}
