"""support over real HTTP: tickets, the status workflow, pagination and entity resolution."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from subgraphs.kernel.testing import RunningSubgraph, count_statements, selects
from subgraphs.support.models import Ticket, TicketStatus
from subgraphs.support.transitions import ALLOWED_TRANSITIONS
from tests.fixtures.tokens import admin_subgraph, secured_subgraph

ALICE = "7b1e5d2f-2c8e-4d6a-8b62-1a8f4a5b1b01"
BOB = "7b1e5d2f-2c8e-4d6a-8b62-1a8f4a5b1b02"
ORDER = "7b1e5d2f-2c8e-4d6a-8b62-1a8f4a5b1c01"

OPEN = """
mutation Open($input: OpenTicketInput!) {
  openTicket(input: $input) {
    id subject body status priority createdAt updatedAt requester { id } order { id }
  }
}
"""
MOVE = """
mutation Move($input: UpdateTicketStatusInput!) {
  updateTicketStatus(input: $input) { id status updatedAt }
}
"""


@pytest.fixture(scope="module")
async def support(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSubgraph]:
    """support called by an administrator (who may act for any requester)."""
    async with secured_subgraph("support", tmp_path_factory.mktemp("support")) as running:
        yield running.admin


async def open_ticket(support: RunningSubgraph, **fields: str | None) -> dict:
    given = {"requesterId": ALICE, "subject": "Help", "body": "It broke.", **fields}
    body = await support.graphql(OPEN, {"input": given})
    assert "errors" not in body, body
    return body["data"]["openTicket"]


async def move(support: RunningSubgraph, ticket_id: str, status: str) -> dict:
    return await support.graphql(MOVE, {"input": {"ticketId": ticket_id, "status": status}})


async def ticket_count(support: RunningSubgraph) -> int:
    async with support.database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_open_ticket_about_an_order_starts_open(support):
    ticket = await open_ticket(
        support, subject="  Cracked mug ", body=" Handle cracked. ", priority="HIGH", orderId=ORDER
    )

    assert ticket["subject"] == "Cracked mug"
    assert ticket["body"] == "Handle cracked."
    assert ticket["status"] == "OPEN"
    assert ticket["priority"] == "HIGH"
    assert ticket["requester"] == {"id": ALICE}
    assert ticket["order"] == {"id": ORDER}
    assert ticket["createdAt"] == ticket["updatedAt"]


async def test_open_ticket_defaults_to_normal_priority_without_order(support):
    ticket = await open_ticket(support)

    assert ticket["priority"] == "NORMAL"
    assert ticket["order"] is None


async def test_open_ticket_rejects_bad_input_and_writes_nothing(support):
    before = await ticket_count(support)
    for fields in [
        {"subject": "  "},
        {"subject": "x" * 201},
        {"body": ""},
        {"body": "x" * 10_001},
        {"requesterId": "alice"},
        {"orderId": "order-1"},
    ]:
        given = {"requesterId": ALICE, "subject": "ok", "body": "ok", **fields}
        body = await support.graphql(OPEN, {"input": given})
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (fields, error)

    assert await ticket_count(support) == before


async def test_status_follows_the_workflow_and_closed_is_final(support):
    ticket = await open_ticket(support)
    for status in ["IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "OPEN", "CLOSED"]:
        body = await move(support, ticket["id"], status)
        assert body["data"]["updateTicketStatus"]["status"] == status, body

    body = await move(support, ticket["id"], "OPEN")
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["currentStatus"] == "CLOSED"


async def test_every_forbidden_move_is_a_conflict_and_changes_nothing(tmp_path):
    async with admin_subgraph("support", tmp_path) as fresh:
        for current, allowed in ALLOWED_TRANSITIONS.items():
            for wanted in set(TicketStatus) - allowed:
                ticket = await open_ticket(fresh)
                async with fresh.database.sessions() as session:
                    row = await session.get(Ticket, ticket["id"])
                    assert row is not None
                    row.status = current
                    await session.commit()

                body = await move(fresh, ticket["id"], wanted.name)

                [error] = body["errors"]
                assert error["extensions"]["code"] == "CONFLICT", (current, wanted, error)
                async with fresh.database.sessions() as session:
                    row = await session.get(Ticket, ticket["id"])
                    assert row is not None and row.status is current


async def test_moving_an_unknown_ticket_is_not_found(support):
    body = await move(support, "00000000-0000-4000-8000-000000000000", "CLOSED")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_ticket_lookup_by_id(support):
    ticket = await open_ticket(support, subject="Lookup")
    query = "query($id: ID!) { ticket(id: $id) { id subject } }"

    found = await support.graphql(query, {"id": ticket["id"]})
    missing = await support.graphql(query, {"id": "nope"})

    assert found["data"]["ticket"] == {"id": ticket["id"], "subject": "Lookup"}
    assert missing == {"data": {"ticket": None}}


async def test_tickets_page_newest_first_and_filter_by_status(tmp_path):
    async with admin_subgraph("support", tmp_path) as fresh:
        ids = [(await open_ticket(fresh, subject=f"T{i}"))["id"] for i in range(5)]
        await move(fresh, ids[1], "IN_PROGRESS")
        await move(fresh, ids[3], "IN_PROGRESS")
        query = """
        query($after: String, $status: TicketStatus) {
          tickets(first: 2, after: $after, status: $status) {
            edges { node { id } } pageInfo { hasNextPage endCursor }
          }
        }
        """

        async def walk(status: str | None) -> list[str]:
            seen: list[str] = []
            after = None
            while True:
                body = await fresh.graphql(query, {"after": after, "status": status})
                connection = body["data"]["tickets"]
                seen += [edge["node"]["id"] for edge in connection["edges"]]
                if not connection["pageInfo"]["hasNextPage"]:
                    return seen
                after = connection["pageInfo"]["endCursor"]

        assert await walk(None) == list(reversed(ids))
        assert await walk("IN_PROGRESS") == [ids[3], ids[1]]
        assert await walk("CLOSED") == []


async def test_resolving_many_ticket_references_costs_one_select(support):
    ids = [(await open_ticket(support, subject=f"Ref {i}"))["id"] for i in range(6)]
    representations = [{"__typename": "Ticket", "id": ticket_id} for ticket_id in ids]
    representations.append({"__typename": "Ticket", "id": "missing"})
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id } } }"

    with count_statements(support.engine) as statements:
        body = await support.graphql(query, {"r": representations})

    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert [entity["id"] for entity in entities[:-1]] == ids
    assert entities[-1] is None
    assert len(selects(statements)) == 1, statements


async def test_user_tickets_of_many_users_cost_one_select(tmp_path):
    async with admin_subgraph("support", tmp_path) as fresh:
        alice = [(await open_ticket(fresh, subject=f"A{i}"))["id"] for i in range(3)]
        bob = [(await open_ticket(fresh, requesterId=BOB))["id"]]
        nobody = "7b1e5d2f-2c8e-4d6a-8b62-1a8f4a5b1b09"
        representations = [{"__typename": "User", "id": user} for user in (ALICE, BOB, nobody)]
        query = """
        query($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on User { id tickets(first: 2) { edges { node { id requester { id } } }
                                                 pageInfo { hasNextPage } } }
          }
        }
        """

        with count_statements(fresh.engine) as statements:
            body = await fresh.graphql(query, {"r": representations})

        assert "errors" not in body, body
        found_alice, found_bob, empty = body["data"]["_entities"]
        assert [edge["node"]["id"] for edge in found_alice["tickets"]["edges"]] == alice[:0:-1]
        assert found_alice["tickets"]["pageInfo"]["hasNextPage"] is True
        assert [edge["node"]["id"] for edge in found_bob["tickets"]["edges"]] == bob
        assert empty["tickets"]["edges"] == []
        assert len(selects(statements)) == 1, statements


async def test_service_sdl_declares_keys_and_the_unresolvable_order_stub(support):
    sdl = (await support.graphql("{ _service { sdl } }"))["data"]["_service"]["sdl"]

    assert 'type Ticket @key(fields: "id")' in sdl
    assert 'type User @key(fields: "id")' in sdl
    assert 'type Order @key(fields: "id", resolvable: false)' in sdl
    assert (
        "tickets(first: Int = null, after: String = null): TicketConnection @authenticated" in sdl
    )


async def test_one_failing_mutation_field_rolls_back_the_whole_request(support):
    before = await ticket_count(support)
    both = """
    mutation($good: OpenTicketInput!, $bad: OpenTicketInput!) {
      first: openTicket(input: $good) { id }
      second: openTicket(input: $bad) { id }
    }
    """
    good = {"requesterId": ALICE, "subject": "Kept?", "body": "No."}
    bad = {**good, "subject": ""}

    body = await support.graphql(both, {"good": good, "bad": bad})

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert await ticket_count(support) == before
