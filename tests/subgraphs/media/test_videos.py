"""media over real HTTP: videos, their validation, pagination and entity resolution."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, update

from subgraphs.kernel.testing import RunningSubgraph, count_statements, selects
from subgraphs.media.models import Video, VideoStatus
from tests.fixtures.tokens import admin_subgraph

ALICE = "6a0f4c1e-1b7d-4c59-9a51-0f7e3f4a0a01"
BOB = "6a0f4c1e-1b7d-4c59-9a51-0f7e3f4a0a02"

CREATE = """
mutation Create($input: CreateVideoInput!) {
  createVideo(input: $input) {
    id title description status visibility durationSeconds createdAt owner { id }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateVideoInput!) {
  updateVideo(input: $input) { id title description visibility }
}
"""


@pytest.fixture(scope="module")
async def media(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSubgraph]:
    """media called by an administrator (who may upload for any `ownerId`)."""
    async with admin_subgraph("media", tmp_path_factory.mktemp("media")) as running:
        yield running


async def create(media: RunningSubgraph, **fields: str) -> dict:
    body = await media.graphql(CREATE, {"input": {"ownerId": ALICE, "title": "A video", **fields}})
    assert "errors" not in body, body
    return body["data"]["createVideo"]


async def mark_ready(media: RunningSubgraph, *video_ids: str) -> None:
    async with media.database.sessions() as session:
        await session.execute(
            update(Video).where(Video.id.in_(video_ids)).values(status=VideoStatus.READY)
        )
        await session.commit()


async def video_count(media: RunningSubgraph) -> int:
    async with media.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Video)) or 0)


async def test_create_video_starts_uploaded_with_trimmed_fields(media):
    video = await create(media, title="  Lisbon  ", description=" trams ", visibility="PUBLIC")

    assert video["title"] == "Lisbon"
    assert video["description"] == "trams"
    assert video["status"] == "UPLOADED"
    assert video["visibility"] == "PUBLIC"
    assert video["durationSeconds"] is None
    assert video["owner"] == {"id": ALICE}
    assert video["createdAt"].endswith("+00:00")


async def test_create_video_rejects_bad_input_and_writes_nothing(media):
    before = await video_count(media)
    for fields in [
        {"title": "   "},
        {"title": "x" * 201},
        {"description": "x" * 5001},
        {"ownerId": "not-a-uuid"},
    ]:
        body = await media.graphql(CREATE, {"input": {"ownerId": ALICE, "title": "ok", **fields}})
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (fields, error)

    assert await video_count(media) == before


async def test_update_video_changes_only_the_given_fields(media):
    video = await create(media, title="Before", description="keep me", visibility="UNLISTED")

    body = await media.graphql(UPDATE, {"input": {"videoId": video["id"], "title": "After"}})
    assert body["data"]["updateVideo"] == {
        "id": video["id"],
        "title": "After",
        "description": "keep me",
        "visibility": "UNLISTED",
    }

    body = await media.graphql(
        UPDATE, {"input": {"videoId": video["id"], "description": None, "visibility": "PUBLIC"}}
    )
    assert body["data"]["updateVideo"]["description"] == ""
    assert body["data"]["updateVideo"]["visibility"] == "PUBLIC"


async def test_update_video_errors_leave_the_video_unchanged(media):
    video = await create(media, title="Stable", visibility="PUBLIC")
    cases = [
        ({"videoId": video["id"]}, "BAD_USER_INPUT"),
        ({"videoId": video["id"], "title": ""}, "BAD_USER_INPUT"),
        ({"videoId": video["id"], "title": None}, "BAD_USER_INPUT"),
        ({"videoId": video["id"], "visibility": None}, "BAD_USER_INPUT"),
        ({"videoId": "00000000-0000-4000-8000-000000000000", "title": "x"}, "NOT_FOUND"),
    ]
    for given, code in cases:
        body = await media.graphql(UPDATE, {"input": given})
        [error] = body["errors"]
        assert error["extensions"]["code"] == code, (given, error)

    body = await media.graphql(
        "query($id: ID!) { video(id: $id) { title visibility } }", {"id": video["id"]}
    )
    assert body["data"]["video"] == {"title": "Stable", "visibility": "PUBLIC"}


async def test_private_videos_are_hidden_from_anonymous_lookups(media):
    private = await create(media, visibility="PRIVATE")
    unlisted = await create(media, visibility="UNLISTED")
    query = "query($id: ID!) { video(id: $id) { id } }"
    anonymous = media.with_headers({})

    assert (await anonymous.graphql(query, {"id": private["id"]}))["data"]["video"] is None
    assert (await anonymous.graphql(query, {"id": unlisted["id"]}))["data"]["video"] == {
        "id": unlisted["id"]
    }
    assert (await anonymous.graphql(query, {"id": "nope"}))["data"]["video"] is None


async def test_public_feed_lists_only_public_ready_videos_newest_first(tmp_path):
    async with admin_subgraph("media", tmp_path) as fresh:
        public = [(await create(fresh, title=f"P{i}", visibility="PUBLIC"))["id"] for i in range(5)]
        unlisted = (await create(fresh, visibility="UNLISTED"))["id"]
        not_ready = (await create(fresh, visibility="PUBLIC"))["id"]
        await mark_ready(fresh, *public, unlisted)

        seen: list[str] = []
        after = None
        query = """
        query($after: String) {
          videos(first: 2, after: $after) {
            edges { cursor node { id } }
            pageInfo { hasNextPage hasPreviousPage endCursor }
          }
        }
        """
        while True:
            connection = (await fresh.graphql(query, {"after": after}))["data"]["videos"]
            seen += [edge["node"]["id"] for edge in connection["edges"]]
            assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]

        assert seen == list(reversed(public))
        assert not_ready not in seen


async def test_bad_page_arguments_are_bad_user_input(media):
    for arguments in ["first: 0", "first: 101", 'after: "garbage"']:
        body = await media.graphql(f"{{ videos({arguments}) {{ edges {{ cursor }} }} }}")
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (arguments, error)


async def test_resolving_many_video_references_costs_one_select(media):
    ids = [(await create(media, title=f"Ref {i}", visibility="PUBLIC"))["id"] for i in range(6)]
    representations = [{"__typename": "Video", "id": video_id} for video_id in ids]
    representations.append({"__typename": "Video", "id": "missing"})
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Video { id title } } }"

    with count_statements(media.engine) as statements:
        body = await media.graphql(query, {"r": representations})

    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert [entity["id"] for entity in entities[:-1]] == ids
    assert entities[-1] is None
    assert len(selects(statements)) == 1, statements


async def test_user_videos_of_many_users_cost_one_select_and_hide_unlisted_ones(tmp_path):
    async with admin_subgraph("media", tmp_path) as fresh:
        alice_public = [(await create(fresh, visibility="PUBLIC"))["id"] for _ in range(3)]
        await create(fresh, visibility="UNLISTED")
        bob_video = (
            await fresh.graphql(
                CREATE, {"input": {"ownerId": BOB, "title": "Bob's", "visibility": "PUBLIC"}}
            )
        )["data"]["createVideo"]["id"]
        await mark_ready(fresh, *alice_public, bob_video)
        nobody = "6a0f4c1e-1b7d-4c59-9a51-0f7e3f4a0a09"
        representations = [{"__typename": "User", "id": user} for user in (ALICE, BOB, nobody)]
        query = """
        query($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on User { id videos(first: 2) { edges { node { id owner { id } } }
                                                pageInfo { hasNextPage } } }
          }
        }
        """

        with count_statements(fresh.engine) as statements:  # as someone else: listed only
            body = await fresh.with_headers({}).graphql(query, {"r": representations})

        assert "errors" not in body, body
        alice, bob, empty = body["data"]["_entities"]
        assert [edge["node"]["id"] for edge in alice["videos"]["edges"]] == alice_public[:0:-1]
        assert alice["videos"]["pageInfo"]["hasNextPage"] is True
        assert [edge["node"]["id"] for edge in bob["videos"]["edges"]] == [bob_video]
        assert bob["videos"]["pageInfo"]["hasNextPage"] is False
        assert empty == {"id": nobody, "videos": {"edges": [], "pageInfo": {"hasNextPage": False}}}
        assert len(selects(statements)) == 1, statements


async def test_service_sdl_declares_video_key_and_user_extension(media):
    sdl = (await media.graphql("{ _service { sdl } }"))["data"]["_service"]["sdl"]

    assert 'type Video @key(fields: "id")' in sdl
    assert 'type User @key(fields: "id")' in sdl
    assert "videos(first: Int = null, after: String = null): VideoConnection!" in sdl
    assert "https://specs.apollo.dev/federation/v2.7" in sdl


async def test_one_failing_mutation_field_rolls_back_the_whole_request(media):
    before = await video_count(media)
    both = """
    mutation($good: CreateVideoInput!, $bad: CreateVideoInput!) {
      first: createVideo(input: $good) { id }
      second: createVideo(input: $bad) { id }
    }
    """
    good = {"ownerId": ALICE, "title": "Kept?"}

    body = await media.graphql(both, {"good": good, "bad": {**good, "ownerId": "x"}})

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert await video_count(media) == before
