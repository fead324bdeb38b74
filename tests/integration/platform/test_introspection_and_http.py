"""Introspection answered by the router, GraphQL over HTTP (GET, POST, media types) and the
400s for documents the router cannot run."""

from graphql import build_schema

from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import ALICE
from tests.integration.platform.servers import REPO_ROOT

DOMAIN_TYPES = {"User", "Wallet", "Transaction", "Order", "Product", "Seller", "Video", "Ticket"}
DOMAIN_TYPES |= {"ServiceStatus", "Money", "Query", "Mutation"}


async def test_introspection_lists_the_domain_types_and_no_federation_machinery(
    router: GraphQLClient,
) -> None:
    data = await router.query(
        "{ __schema { queryType { name } mutationType { name } types { name } } }"
    )

    names = {t["name"] for t in data["__schema"]["types"]}
    assert names >= DOMAIN_TYPES
    assert data["__schema"]["queryType"] == {"name": "Query"}
    assert data["__schema"]["mutationType"] == {"name": "Mutation"}
    machinery = {
        name
        for name in names
        if name.startswith(("join__", "link__"))
        or name in {"_Entity", "_Service", "_Any", "_FieldSet", "link__Import"}
    }
    assert machinery == set()


async def test_introspection_shows_exactly_the_checked_in_frontend_schema_types(
    router: GraphQLClient,
) -> None:
    frontend = build_schema((REPO_ROOT / "frontend-schema.graphql").read_text())
    data = await router.query("{ __schema { types { name } } }")

    names = {t["name"] for t in data["__schema"]["types"]}
    assert names == set(frontend.type_map)


async def test_introspected_user_has_the_fields_of_every_contributing_subgraph(
    router: GraphQLClient,
) -> None:
    data = await router.query(
        """{ __type(name: "User") { kind fields { name type { kind ofType { name } } } } }"""
    )

    user = data["__type"]
    assert user["kind"] == "OBJECT"
    fields = {field["name"]: field["type"] for field in user["fields"]}
    assert set(fields) == {
        # identity
        "id", "email", "displayName", "roles", "status", "createdAt",
        # money, commerce, media, support
        "wallets", "orders", "seller", "videos", "tickets",
    }  # fmt: skip
    # Nullable: someone else's orders are null (with FORBIDDEN), the rest of the user stays.
    assert fields["orders"] == {"kind": "OBJECT", "ofType": None}
    assert fields["seller"]["kind"] == "OBJECT"
    query_fields = await router.query('{ __type(name: "Query") { fields { name } } }')
    names = {field["name"] for field in query_fields["__type"]["fields"]}
    assert {"user", "users", "wallet", "order", "video", "ticket", "services"} <= names
    assert not names & {"_entities", "_service"}


async def test_get_runs_a_query_from_the_query_string(router: GraphQLClient) -> None:
    reply = await router.get(
        {
            "query": "query Name($id: ID!) { user(id: $id) { displayName wallets { currency } } }",
            "variables": f'{{"id": "{ALICE}"}}',
            "operationName": "Name",
        }
    )

    assert reply.status == 200
    assert reply.body == {
        "data": {
            "user": {
                "displayName": "Alice Martin",
                "wallets": [{"currency": "USD"}, {"currency": "EUR"}],
            }
        }
    }


async def test_get_refuses_a_mutation_with_405(router: GraphQLClient) -> None:
    mutation = (
        "mutation { registerUser(input: "
        '{email: "get@example.com", displayName: "G", password: "correct horse battery"}) '
        "{ id } }"
    )
    reply = await router.get({"query": mutation})

    assert reply.status == 405
    assert reply.data is None
    assert "POST" in reply.errors[0]["message"]
    users = await router.query("{ users(first: 100) { edges { node { email } } } }")
    assert "get@example.com" not in {edge["node"]["email"] for edge in users["users"]["edges"]}


async def test_post_answers_in_the_graphql_response_media_type_when_asked(
    router: GraphQLClient,
) -> None:
    query = "query ($id: ID!) { user(id: $id) { displayName } }"
    asked = await router.post(query, {"id": ALICE}, accept="application/graphql-response+json")
    legacy = await router.post(query, {"id": ALICE}, accept="application/json")

    assert (asked.status, asked.content_type) == (200, "application/graphql-response+json")
    assert (legacy.status, legacy.content_type) == (200, "application/json")
    assert asked.body == legacy.body == {"data": {"user": {"displayName": "Alice Martin"}}}


async def test_an_unparsable_document_is_a_400_parse_failure(router: GraphQLClient) -> None:
    reply = await router.post("{ user(id: ) { displayName }")

    assert reply.status == 400
    assert "data" not in reply.body
    [error] = reply.errors
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_an_unknown_field_is_a_400_validation_failure_naming_it(
    router: GraphQLClient,
) -> None:
    reply = await router.post(
        "query ($id: ID!) { user(id: $id) { displayName shoeSize } }", {"id": ALICE}
    )

    assert reply.status == 400
    assert "data" not in reply.body
    [error] = reply.errors
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "shoeSize" in error["message"]
    assert "User" in error["message"]


async def test_an_unknown_operation_name_is_a_400(router: GraphQLClient) -> None:
    document = "query A { __typename } query B { services { name } }"
    reply = await router.post(document, operation_name="C")
    missing = await router.post(document)
    chosen = await router.post(document, operation_name="A")

    assert reply.status == 400
    assert "C" in reply.errors[0]["message"]
    assert missing.status == 400  # two operations and no name: which one?
    assert chosen.body == {"data": {"__typename": "Query"}}


async def test_the_subgraphs_federation_fields_are_not_part_of_the_api(
    router: GraphQLClient,
) -> None:
    for document in (
        "{ _service { sdl } }",
        '{ _entities(representations: [{__typename: "User", id: "x"}]) { __typename } }',
    ):
        reply = await router.post(document)
        assert reply.status == 400, reply.body
        [error] = reply.errors
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
