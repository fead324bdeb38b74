"""A page of notifications reads the tickets they are about with one SELECT, however many."""

from __future__ import annotations

from subgraphs.kernel.testing import count_statements
from tests.subgraphs.support.conftest import Notifying
from tests.subgraphs.support.notification_client import eventually, new_user_id, ok

OPEN = "mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }"
MOVE = "mutation($input: UpdateTicketStatusInput!) { updateTicketStatus(input: $input) { status } }"
ABOUT_TICKETS = """
{
  notifications(first: 10) {
    edges { node { ticket { id subject status } deliveries { channel } } }
  }
}
"""


async def test_the_tickets_of_a_page_of_notifications_cost_one_select(notifying: Notifying):
    requester = new_user_id()
    me = notifying.secured.as_user(requester)
    agent = notifying.secured.as_user(new_user_id(), "user", "support_agent")
    opened = []
    for number in range(3):
        data = ok(await me.graphql(OPEN, {"input": {"subject": f"Parcel {number}", "body": "?"}}))
        opened.append(data["openTicket"]["id"])
        moved = {"ticketId": opened[-1], "status": "IN_PROGRESS"}
        ok(await agent.graphql(MOVE, {"input": moved}))
    await eventually(
        lambda: me.graphql(ABOUT_TICKETS),
        lambda body: len(body["data"]["notifications"]["edges"]) == 3,
    )

    with count_statements(notifying.secured.subgraph.engine) as statements:
        data = ok(await me.graphql(ABOUT_TICKETS))

    tickets = [edge["node"]["ticket"] for edge in data["notifications"]["edges"]]
    assert [ticket["id"] for ticket in tickets] == opened[::-1]  # newest first
    assert all(ticket["status"] == "IN_PROGRESS" for ticket in tickets)
    ticket_reads = [s for s in statements if "FROM support_tickets" in s]
    assert len(ticket_reads) == 1, statements
