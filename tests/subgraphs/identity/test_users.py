"""identity over real HTTP: registration, lookups, pagination and entity resolution."""

from __future__ import annotations

import uuid

from subgraphs.kernel.testing import RunningSubgraph, count_statements, selects
from tests.fixtures.tokens import TokenMint
from tests.subgraphs.identity.auth_client import PASSWORD

REGISTER = """
mutation Register($input: RegisterUserInput!) {
  registerUser(input: $input) { id email displayName roles status createdAt }
}
"""


def as_caller(identity: RunningSubgraph, user_id: str, *roles: str) -> RunningSubgraph:
    """identity called with a token of its own keys for `user_id` with `roles`."""
    mint = TokenMint.for_identity(identity.app.state.settings)
    return identity.with_headers(mint.bearer(user_id, *roles))


def as_support(identity: RunningSubgraph) -> RunningSubgraph:
    return as_caller(identity, str(uuid.uuid4()), "user", "support_agent")


async def register(identity: RunningSubgraph, email: str, name: str = "Someone") -> dict:
    body = await identity.graphql(
        REGISTER, {"input": {"email": email, "displayName": name, "password": PASSWORD}}
    )
    assert "errors" not in body, body
    return body["data"]["registerUser"]


async def test_register_user_normalises_email_and_defaults_role_and_status(identity):
    user = await register(identity, "  Ada.Lovelace@Example.COM ", "  Ada  ")

    assert user["email"] == "Ada.Lovelace@example.com"
    assert user["displayName"] == "Ada"
    assert user["roles"] == ["USER"]
    assert user["status"] == "ACTIVE"
    assert uuid.UUID(user["id"])
    assert user["createdAt"].endswith("+00:00")


async def test_registered_user_is_readable_by_id(identity):
    created = await register(identity, "reader@example.com")

    body = await as_support(identity).graphql(
        "query($id: ID!) { user(id: $id) { id email } }", {"id": created["id"]}
    )

    assert body == {"data": {"user": {"id": created["id"], "email": "reader@example.com"}}}


async def test_private_user_details_are_for_the_user_and_staff_only(identity):
    created = await register(identity, "private@example.com")
    query = "query($id: ID!) { user(id: $id) { id displayName email roles status } }"
    variables = {"id": created["id"]}
    callers = {
        "anonymous": identity,
        "someone else": as_caller(identity, str(uuid.uuid4()), "user"),
        "themself": as_caller(identity, created["id"], "user"),
        "support": as_support(identity),
        "admin": as_caller(identity, str(uuid.uuid4()), "user", "admin"),
    }

    answers = {name: await caller.graphql(query, variables) for name, caller in callers.items()}

    profile = {"id": created["id"], "displayName": "Someone"}
    hidden = {**profile, "email": None, "roles": None, "status": None}
    shown = {**profile, "email": "private@example.com", "roles": ["USER"], "status": "ACTIVE"}
    assert answers["anonymous"]["data"] == {"user": hidden}
    assert {e["extensions"]["code"] for e in answers["anonymous"]["errors"]} == {"UNAUTHENTICATED"}
    assert answers["someone else"]["data"] == {"user": hidden}
    assert [
        (e["path"][-1], e["extensions"]["code"]) for e in answers["someone else"]["errors"]
    ] == [
        ("email", "FORBIDDEN"),
        ("roles", "FORBIDDEN"),
        ("status", "FORBIDDEN"),
    ]
    for name in ("themself", "support", "admin"):
        assert answers[name] == {"data": {"user": shown}}, name


async def test_the_user_list_is_for_staff_only(identity):
    query = "{ users(first: 1) { edges { node { id } } } }"

    anonymous = await identity.graphql(query)
    plain_user = await as_caller(identity, str(uuid.uuid4()), "user").graphql(query)
    support = await as_support(identity).graphql(query)

    assert anonymous["data"] == {"users": None}
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert plain_user["data"] == {"users": None}
    assert plain_user["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in support


async def test_unknown_user_id_is_null(identity):
    body = await identity.graphql('{ user(id: "no-such-user") { id } }')

    assert body == {"data": {"user": None}}


async def test_me_is_null_for_anonymous_callers(identity):
    assert await identity.graphql("{ me { id } }") == {"data": {"me": None}}


async def test_duplicate_email_is_a_conflict_even_with_different_domain_case(identity):
    await register(identity, "twice@example.com")

    body = await identity.graphql(
        REGISTER,
        {"input": {"email": "twice@EXAMPLE.com", "displayName": "Again", "password": PASSWORD}},
    )

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert "twice@example.com" in error["message"]


async def test_invalid_email_and_display_name_are_bad_user_input(identity):
    for email, name in [
        ("not-an-email", "Name"),
        ("a@b", "Name"),
        ("two@@example.com", "Name"),
        ("ok@example.com", "   "),
        ("ok@example.com", "x" * 81),
    ]:
        body = await identity.graphql(
            REGISTER, {"input": {"email": email, "displayName": name, "password": PASSWORD}}
        )
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (email, name, error)


async def test_users_connection_pages_through_every_user_once(tmp_path):
    from subgraphs.kernel.testing import running_subgraph

    async with running_subgraph("identity", tmp_path) as fresh:
        emails = [f"page{i}@example.com" for i in range(5)]
        for email in emails:
            await register(fresh, email)

        seen: list[str] = []
        after = None
        query = """
        query($after: String) {
          users(first: 2, after: $after) {
            edges { cursor node { email } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }
        """
        pages = 0
        while True:
            body = await as_support(fresh).graphql(query, {"after": after})
            connection = body["data"]["users"]
            seen += [edge["node"]["email"] for edge in connection["edges"]]
            pages += 1
            assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
            assert after == connection["edges"][-1]["cursor"]

        assert seen == emails
        assert pages == 3


async def test_resolving_many_user_references_costs_one_select(identity):
    ids = [(await register(identity, f"ref{i}@example.com"))["id"] for i in range(10)]
    representations = [{"__typename": "User", "id": user_id} for user_id in ids]
    representations.append({"__typename": "User", "id": "missing"})
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }"

    with count_statements(identity.engine) as statements:
        body = await as_support(identity).graphql(query, {"r": representations})

    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert [entity["id"] for entity in entities[:-1]] == ids
    assert entities[-1] is None
    assert len(selects(statements)) == 1, statements
    assert len(statements) == 1, statements


async def test_service_sdl_declares_user_key_and_federation_2(identity):
    body = await identity.graphql("{ _service { sdl } }")
    sdl = body["data"]["_service"]["sdl"]

    assert 'type User @key(fields: "id")' in sdl
    assert "https://specs.apollo.dev/federation/v2.7" in sdl
