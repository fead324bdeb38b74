"""support enforces access itself (issue 4), called directly with real tokens: a ticket is its
requester's and support staff's; the queue is staff only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fixtures.tokens import Secured, secured_subgraph

OPEN = "mutation($input: OpenTicketInput!) { openTicket(input: $input) { id requester { id } } }"
MOVE = "mutation($input: UpdateTicketStatusInput!) { updateTicketStatus(input: $input) { status } }"
TICKET = "query($id: ID!) { ticket(id: $id) { id subject } }"
QUEUE = "{ tickets(first: 1) { edges { node { id } } } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Ticket { id }
    ... on User { tickets { edges { node { id } } } }
  }
}
"""


@pytest.fixture(scope="module")
async def secured(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Secured]:
    async with secured_subgraph("support", tmp_path_factory.mktemp("support")) as running:
        yield running


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def agent(secured: Secured):
    return secured.as_user(str(uuid.uuid4()), "user", "support_agent")


async def ticket_of(secured: Secured, requester: str) -> str:
    body = await secured.as_user(requester).graphql(
        OPEN, {"input": {"subject": "Help", "body": "It broke."}}
    )
    assert body["data"]["openTicket"]["requester"] == {"id": requester}, body
    ticket_id: str = body["data"]["openTicket"]["id"]
    return ticket_id


async def test_anonymous_callers_are_unauthenticated(secured: Secured):
    ticket_id = await ticket_of(secured, str(uuid.uuid4()))

    for query, variables in [
        (TICKET, {"id": ticket_id}),
        (QUEUE, {}),
        (OPEN, {"input": {"subject": "Hi", "body": "Hello"}}),
        (MOVE, {"input": {"ticketId": ticket_id, "status": "CLOSED"}}),
    ]:
        body = await secured.anonymous.graphql(query, variables)
        assert codes(body) == ["UNAUTHENTICATED"], (query, body)


async def test_a_ticket_is_seen_by_its_requester_and_staff_only(secured: Secured):
    requester = str(uuid.uuid4())
    ticket_id = await ticket_of(secured, requester)

    for caller in (secured.as_user(requester), agent(secured), secured.admin):
        body = await caller.graphql(TICKET, {"id": ticket_id})
        assert body["data"]["ticket"] == {"id": ticket_id, "subject": "Help"}, body
    refused = await secured.as_user(str(uuid.uuid4())).graphql(TICKET, {"id": ticket_id})
    assert refused["data"] == {"ticket": None} and codes(refused) == ["FORBIDDEN"]


async def test_the_queue_needs_the_support_or_admin_scope(secured: Secured):
    await ticket_of(secured, str(uuid.uuid4()))

    user = await secured.as_user(str(uuid.uuid4())).graphql(QUEUE)
    staff = await agent(secured).graphql(QUEUE)

    assert user["data"] == {"tickets": None} and codes(user) == ["FORBIDDEN"]
    assert "errors" not in staff and staff["data"]["tickets"]["edges"]


async def test_entity_references_and_user_tickets_apply_the_same_checks(secured: Secured):
    requester = str(uuid.uuid4())
    ticket_id = await ticket_of(secured, requester)
    variables = {
        "representations": [
            {"__typename": "Ticket", "id": ticket_id},
            {"__typename": "User", "id": requester},
        ]
    }

    mine = await secured.as_user(requester).graphql(ENTITIES, variables)
    theirs = await secured.as_user(str(uuid.uuid4())).graphql(ENTITIES, variables)

    assert "errors" not in mine, mine
    assert mine["data"]["_entities"][1]["tickets"]["edges"] == [{"node": {"id": ticket_id}}]
    assert codes(theirs) == ["FORBIDDEN", "FORBIDDEN"]


async def test_only_staff_open_tickets_for_someone_else(secured: Secured):
    customer = str(uuid.uuid4())
    variables = {"input": {"requesterId": customer, "subject": "Call", "body": "On the phone"}}

    forged = await secured.as_user(str(uuid.uuid4())).graphql(OPEN, variables)
    by_agent = await agent(secured).graphql(OPEN, variables)

    assert forged["data"] is None and codes(forged) == ["FORBIDDEN"]
    assert by_agent["data"]["openTicket"]["requester"] == {"id": customer}


async def test_requesters_may_only_close_their_ticket_and_staff_move_it(secured: Secured):
    requester = str(uuid.uuid4())
    ticket_id = await ticket_of(secured, requester)

    def move(status: str) -> dict[str, Any]:
        return {"input": {"ticketId": ticket_id, "status": status}}

    self_progress = await secured.as_user(requester).graphql(MOVE, move("IN_PROGRESS"))
    stranger = await secured.as_user(str(uuid.uuid4())).graphql(MOVE, move("CLOSED"))
    by_agent = await agent(secured).graphql(MOVE, move("IN_PROGRESS"))
    self_close = await secured.as_user(requester).graphql(MOVE, move("CLOSED"))

    assert codes(self_progress) == ["FORBIDDEN"]
    assert codes(stranger) == ["FORBIDDEN"]
    assert by_agent["data"]["updateTicketStatus"] == {"status": "IN_PROGRESS"}
    assert self_close["data"]["updateTicketStatus"] == {"status": "CLOSED"}
