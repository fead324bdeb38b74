"""Subgraph errors keep the client's path and service name, nulls propagate per the spec, and a
subgraph that goes away leaves the others' data standing."""

import aiohttp

from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import (
    ALICE,
    ALICE_1,
    ALICE_MUG_TICKET,
    ALICE_TRAVEL,
    WALLETS,
)
from tests.integration.platform.servers import Platform, detour


async def test_an_entity_field_error_has_the_client_path_and_nulls_up_to_a_nullable_field(
    router: GraphQLClient,
) -> None:
    # ticket (support) -> order (commerce) -> buyer (identity) -> videos (media) fails:
    # videos, buyer and Order's non-null chain are null up to the nullable `order`.
    query = """
    query ($ticket: ID!) {
      ticket(id: $ticket) {
        subject
        order { id buyer { displayName videos(first: 0) { edges { node { id } } } } }
      }
    }
    """
    reply = await router.post(query, {"ticket": ALICE_MUG_TICKET})

    assert reply.status == 200
    assert reply.data == {"ticket": {"subject": "My mug arrived cracked", "order": None}}
    [error] = reply.errors
    assert error["path"] == ["ticket", "order", "buyer", "videos"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["serviceName"] == "media"


async def test_errors_in_a_list_of_entities_name_each_list_index(router: GraphQLClient) -> None:
    query = """
    query ($id: ID!) {
      user(id: $id) {
        displayName
        orders {
          edges { node { id buyer { tickets(first: 500) { edges { node { id } } } } } }
        }
      }
    }
    """
    reply = await router.post(query, {"id": ALICE})

    assert reply.status == 200
    # tickets is nullable (someone else's tickets are null): only each tickets field is null.
    assert reply.data["user"]["displayName"] == "Alice Martin"
    edges = reply.data["user"]["orders"]["edges"]
    assert edges and [edge["node"]["buyer"] for edge in edges] == [{"tickets": None}] * len(edges)
    assert reply.errors, reply.body
    paths = {tuple(error["path"]) for error in reply.errors}
    assert paths <= {
        ("user", "orders", "edges", 0, "node", "buyer", "tickets"),
        ("user", "orders", "edges", 1, "node", "buyer", "tickets"),
    }, paths
    for error in reply.errors:
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["serviceName"] == "support"


async def test_a_stopped_subgraph_leaves_partial_data_and_an_unavailable_error(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = """
    query ($id: ID!, $video: ID!) {
      user(id: $id) { displayName wallets { currency } }
      video(id: $video) { title }
      ticket: user(id: $id) { tickets { edges { node { order { id } } } } }
    }
    """
    variables = {"id": ALICE, "video": ALICE_TRAVEL}
    async with detour(platform, "media") as side:
        client = GraphQLClient(http, side.router.graphql_url, platform.admin_headers())
        before = await client.query(query, variables)
        assert before["video"] == {"title": "Three days in Lisbon"}

        await side.subgraph.stop()
        reply = await client.post(query, variables)

    assert reply.status == 200
    assert reply.data == {
        "user": {
            "displayName": "Alice Martin",
            "wallets": [{"currency": w["currency"]} for w in WALLETS[ALICE]],
        },
        "video": None,
        "ticket": {"tickets": {"edges": [{"node": {"order": {"id": ALICE_1}}}]}},
    }
    # A failed root fetch is reported at each root field it was to answer.
    [error] = reply.errors
    assert error["path"] == ["video"]
    assert error["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "media"}
    assert "media" in error["message"]


async def test_a_stopped_subgraph_under_an_entity_hop_nulls_to_the_nearest_nullable_field(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    query = """
    query ($id: ID!) {
      user(id: $id) { displayName }
      withVideos: user(id: $id) { displayName videos { edges { node { title } } } }
    }
    """
    async with detour(platform, "media") as side:
        await side.subgraph.stop()
        reply = await GraphQLClient(http, side.router.graphql_url, platform.admin_headers()).post(
            query, {"id": ALICE}
        )

    assert reply.status == 200
    assert reply.data == {"user": {"displayName": "Alice Martin"}, "withVideos": None}
    [error] = reply.errors  # one entity fetch for one object failed: one error, at that object
    assert error["path"] == ["withVideos"]
    assert error["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "media"}


async def test_router_health_warns_and_names_a_stopped_subgraph(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    async with detour(platform, "media") as side:
        await side.subgraph.stop()
        async with http.get(side.router.health_url) as response:
            lenient = (response.status, await response.json())
        async with http.get(side.router.health_url, params={"strict": "1"}) as response:
            strict = (response.status, await response.json())

    for (status, body), (expected_status, expected) in zip(
        (lenient, strict), ((200, "warn"), (503, "fail")), strict=True
    ):
        assert status == expected_status
        assert body["status"] == expected
        assert body["subgraphs"]["media"]["status"] != "pass"
        assert body["subgraphs"]["media"]["reason"]
        others = {name: report["status"] for name, report in body["subgraphs"].items()}
        del others["media"]
        assert set(others.values()) == {"pass"} and len(others) == 5
