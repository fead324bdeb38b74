"""media enforces access itself (issue 4), called directly with real tokens: videos are public
by design, PRIVATE ones exist only for their owner and administrators, and only the owner (or
an administrator) changes a video."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.tokens import Secured, secured_subgraph

CREATE = """
mutation($input: CreateVideoInput!) { createVideo(input: $input) { id owner { id } } }
"""
UPDATE = "mutation($input: UpdateVideoInput!) { updateVideo(input: $input) { id title } }"
VIDEO = "query($id: ID!) { video(id: $id) { id } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Video { id }
    ... on User { videos { edges { node { id } } } }
  }
}
"""


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    async with secured_subgraph("media", tmp_path_factory.mktemp("media")) as running:
        yield running


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def upload(secured: Secured, owner: str, visibility: str) -> str:
    variables = {"input": {"title": "Clip", "visibility": visibility}}
    body = await secured.as_user(owner).graphql(CREATE, variables)
    assert body["data"]["createVideo"]["owner"] == {"id": owner}, body
    video_id: str = body["data"]["createVideo"]["id"]
    return video_id


async def test_uploads_need_a_token_and_belong_to_the_signed_in_user(secured: Secured):
    variables = {"input": {"title": "Mine", "ownerId": str(uuid.uuid4())}}

    anonymous = await secured.anonymous.graphql(CREATE, {"input": {"title": "Anon"}})
    forged = await secured.as_user(str(uuid.uuid4())).graphql(CREATE, variables)
    by_admin = await secured.admin.graphql(CREATE, variables)

    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert codes(forged) == ["FORBIDDEN"]
    assert by_admin["data"]["createVideo"]["owner"] == {"id": variables["input"]["ownerId"]}


async def test_a_private_video_exists_only_for_its_owner_and_admins(secured: Secured):
    owner = str(uuid.uuid4())
    private = await upload(secured, owner, "PRIVATE")
    public = await upload(secured, owner, "PUBLIC")
    representations = {"representations": [{"__typename": "Video", "id": private}]}

    for caller in (secured.as_user(owner), secured.admin):
        assert (await caller.graphql(VIDEO, {"id": private}))["data"]["video"] == {"id": private}
        body = await caller.graphql(ENTITIES, representations)
        assert body["data"]["_entities"] == [{"id": private}]
    for caller in (secured.anonymous, secured.as_user(str(uuid.uuid4()))):
        body = await caller.graphql(VIDEO, {"id": private})
        assert body == {"data": {"video": None}}
        assert (await caller.graphql(ENTITIES, representations))["data"]["_entities"] == [None]
        assert (await caller.graphql(VIDEO, {"id": public}))["data"]["video"] == {"id": public}


async def test_user_videos_show_everything_to_the_owner_and_admins_only(secured: Secured):
    owner = str(uuid.uuid4())
    private = await upload(secured, owner, "PRIVATE")
    variables = {"representations": [{"__typename": "User", "id": owner}]}

    def ids(body: dict[str, Any]) -> list[str]:
        return [edge["node"]["id"] for edge in body["data"]["_entities"][0]["videos"]["edges"]]

    assert ids(await secured.as_user(owner).graphql(ENTITIES, variables)) == [private]
    assert ids(await secured.admin.graphql(ENTITIES, variables)) == [private]
    assert ids(await secured.as_user(str(uuid.uuid4())).graphql(ENTITIES, variables)) == []


async def test_only_the_owner_or_an_admin_changes_a_video(secured: Secured):
    owner, intruder = str(uuid.uuid4()), str(uuid.uuid4())
    public = await upload(secured, owner, "PUBLIC")
    private = await upload(secured, owner, "PRIVATE")

    def rename(video_id: str, title: str) -> dict[str, Any]:
        return {"input": {"videoId": video_id, "title": title}}

    seen = await secured.as_user(intruder).graphql(UPDATE, rename(public, "Hacked"))
    hidden = await secured.as_user(intruder).graphql(UPDATE, rename(private, "Hacked"))
    anonymous = await secured.anonymous.graphql(UPDATE, rename(public, "Hacked"))
    mine = await secured.as_user(owner).graphql(UPDATE, rename(public, "Renamed"))
    admin = await secured.admin.graphql(UPDATE, rename(private, "Moderated"))

    assert codes(seen) == ["FORBIDDEN"]
    assert codes(hidden) == ["NOT_FOUND"]  # like an unknown id: existence does not leak
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert mine["data"]["updateVideo"]["title"] == "Renamed"
    assert admin["data"]["updateVideo"]["title"] == "Moderated"
