"""Administrators manage users through GraphQL (admin scope in the token and ADMIN in the
database, both checked by identity), and read the audit log."""

from __future__ import annotations

from tests.subgraphs.identity.auth_client import (
    REFRESH,
    bearer,
    login,
    login_body,
    register,
    signed_in_admin,
    signed_in_user,
    unique_email,
)

SEARCH = """
query($filter: UserSearchFilter, $first: Int, $after: String) {
  searchUsers(filter: $filter, first: $first, after: $after) {
    edges { node { id email roles status } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ASSIGN = "mutation($i: ChangeRoleInput!) { assignRole(input: $i) { user { id roles } } }"
REMOVE = "mutation($i: ChangeRoleInput!) { removeRole(input: $i) { user { id roles } } }"
DISABLE = "mutation($i: DisableUserInput!) { disableUser(input: $i) { user { id status } } }"
ENABLE = "mutation($i: EnableUserInput!) { enableUser(input: $i) { user { id status } } }"
AUDIT = """
query($filter: AuditLogFilter, $first: Int) {
  auditLog(filter: $filter, first: $first) {
    edges { node { kind userId actorId email ipAddress details } }
  }
}
"""


def code_of(body: dict) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def test_admin_fields_refuse_anonymous_and_non_admin_callers(identity):
    _, tokens = await signed_in_user(identity, "plain")
    target = await register(identity, unique_email("target"))
    for document, variables in [
        (SEARCH, {}),
        (AUDIT, {}),
        (ASSIGN, {"i": {"userId": target["id"], "role": "ADMIN"}}),
        (DISABLE, {"i": {"userId": target["id"]}}),
    ]:
        assert code_of(await identity.graphql(document, variables)) == "UNAUTHENTICATED"
        as_user = await identity.graphql(document, variables, headers=bearer(tokens["accessToken"]))
        assert code_of(as_user) == "FORBIDDEN"


async def test_admin_searches_users_by_text_role_and_status(identity):
    _, admin = await signed_in_admin(identity)
    marker = unique_email("findme").split("@")[0]
    found = await register(identity, f"{marker}@example.com")
    await register(identity, unique_email("other"))
    headers = bearer(admin["accessToken"])

    by_text = await identity.graphql(SEARCH, {"filter": {"query": marker.upper()}}, headers=headers)
    by_role = await identity.graphql(SEARCH, {"filter": {"role": "ADMIN"}}, headers=headers)

    assert [e["node"]["id"] for e in by_text["data"]["searchUsers"]["edges"]] == [found["id"]]
    assert all("ADMIN" in e["node"]["roles"] for e in by_role["data"]["searchUsers"]["edges"])
    assert by_role["data"]["searchUsers"]["edges"]


async def test_roles_are_assigned_and_removed_and_reach_the_next_token(identity):
    _, admin = await signed_in_admin(identity)
    user, _ = await signed_in_user(identity, "promoted")
    headers = bearer(admin["accessToken"])

    assigned = await identity.graphql(
        ASSIGN, {"i": {"userId": user["id"], "role": "SELLER"}}, headers=headers
    )
    assert assigned["data"]["assignRole"]["user"]["roles"] == ["USER", "SELLER"]
    tokens = await login(identity, user["email"])
    import base64
    import json

    payload = tokens["accessToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["roles"] == ["seller", "user"] and "seller" in claims["scope"].split()

    removed = await identity.graphql(
        REMOVE, {"i": {"userId": user["id"], "role": "SELLER"}}, headers=headers
    )
    assert removed["data"]["removeRole"]["user"]["roles"] == ["USER"]
    user_role = await identity.graphql(
        REMOVE, {"i": {"userId": user["id"], "role": "USER"}}, headers=headers
    )
    assert code_of(user_role) == "CONFLICT"


async def test_disabling_revokes_every_session_and_enabling_allows_sign_in_again(identity):
    _, admin = await signed_in_admin(identity)
    user, tokens = await signed_in_user(identity, "disabled")
    headers = bearer(admin["accessToken"])

    body = await identity.graphql(
        DISABLE, {"i": {"userId": user["id"], "reason": "fraud"}}, headers=headers
    )
    assert body["data"]["disableUser"]["user"]["status"] == "SUSPENDED"

    refresh = await identity.graphql(REFRESH, {"token": tokens["refreshToken"]})
    assert code_of(refresh) == "UNAUTHENTICATED"
    me = await identity.graphql("{ me { id } }", headers=bearer(tokens["accessToken"]))
    assert code_of(me) == "UNAUTHENTICATED"
    signin = await login_body(identity, user["email"])
    assert signin["errors"][0]["extensions"]["reason"] == "ACCOUNT_DISABLED"

    enabled = await identity.graphql(ENABLE, {"i": {"userId": user["id"]}}, headers=headers)
    assert enabled["data"]["enableUser"]["user"]["status"] == "ACTIVE"
    assert (await login(identity, user["email"]))["accessToken"]


async def test_admins_cannot_lock_themselves_out(identity):
    admin_user, admin = await signed_in_admin(identity)
    headers = bearer(admin["accessToken"])

    disable = await identity.graphql(DISABLE, {"i": {"userId": admin_user["id"]}}, headers=headers)
    demote = await identity.graphql(
        REMOVE, {"i": {"userId": admin_user["id"], "role": "ADMIN"}}, headers=headers
    )

    assert code_of(disable) == "CONFLICT"
    assert code_of(demote) == "CONFLICT"


async def test_a_token_with_the_admin_scope_of_a_demoted_admin_is_refused(identity):
    first_user, first = await signed_in_admin(identity)
    _, second = await signed_in_admin(identity)

    await identity.graphql(
        REMOVE,
        {"i": {"userId": first_user["id"], "role": "ADMIN"}},
        headers=bearer(second["accessToken"]),
    )
    stale = await identity.graphql(SEARCH, {}, headers=bearer(first["accessToken"]))

    assert code_of(stale) == "FORBIDDEN"


async def test_the_audit_log_shows_role_changes_and_disables_with_their_actor(identity):
    admin_user, admin = await signed_in_admin(identity)
    user, _ = await signed_in_user(identity, "audited")
    headers = bearer(admin["accessToken"])
    await identity.graphql(
        ASSIGN, {"i": {"userId": user["id"], "role": "OPERATOR"}}, headers=headers
    )
    await identity.graphql(DISABLE, {"i": {"userId": user["id"]}}, headers=headers)

    body = await identity.graphql(AUDIT, {"filter": {"userId": user["id"]}}, headers=headers)

    events = [edge["node"] for edge in body["data"]["auditLog"]["edges"]]
    assert [event["kind"] for event in events] == [
        "account.disabled",
        "role.assigned",
        "login.succeeded",
        "user.registered",
    ]
    assert events[1]["actorId"] == admin_user["id"]
    assert events[1]["details"] == {"role": "OPERATOR"}
    assert events[0]["details"]["revokedSessions"] == 1
    only_roles = await identity.graphql(
        AUDIT, {"filter": {"kinds": ["role.assigned"], "userId": user["id"]}}, headers=headers
    )
    assert len(only_roles["data"]["auditLog"]["edges"]) == 1
