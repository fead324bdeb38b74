"""The EHB-5 platform (six subgraphs on migrated, seeded SQLite + our router) answers like the
independent oracle (tests/fixtures/ehb: the same rows served by one plain graphql-core schema)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    print_schema,
)

from subgraphs.kernel.demo import demo_id
from tests.fixtures.differential.operations import GeneratedOperation
from tests.fixtures.differential.oracle import ask_oracle, print_api_schema
from tests.fixtures.differential.runner import disagreement
from tests.fixtures.ehb.graph import ARGUMENT_VALUES, EXCLUDED_FIELDS, argument_values
from tests.fixtures.ehb.oracle import API_SCHEMA_PATH, SUPERGRAPH_PATH
from tests.fixtures.ehb.platform import Ehb, running_ehb
from tests.integration.platform.demo import (
    ALICE,
    ALICE_1,
    ALICE_DRAFT,
    ALICE_MUG_TICKET,
    ALICE_UNBOXING,
    BOB,
    CAROL,
    PRODUCTS,
)

UNKNOWN = "00000000-0000-0000-0000-000000000000"
# A well-formed cursor (the kernel's format) for a position before every row of every table.
BEFORE_EVERYTHING = base64.urlsafe_b64encode(
    orjson.dumps([{"t": "2000-01-01T00:00:00+00:00"}, UNKNOWN])
).decode()


@pytest.fixture(scope="module")
async def ehb(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Ehb]:
    async with running_ehb(tmp_path_factory.mktemp("ehb")) as running:
        yield running


async def assert_agrees(ehb: Ehb, query: str, variables: dict[str, Any] | None = None) -> None:
    found = await disagreement(ehb.send, ehb.oracle, GeneratedOperation(query, variables or {}))
    assert found is None, found.describe()


# --- the oracle's schema ---------------------------------------------------------------------


@pytest.mark.npm
def test_api_schema_is_what_federation_internals_prints(npm_tools: None) -> None:
    checked_in = API_SCHEMA_PATH.read_text()
    header, _, body = checked_in.partition("\n")
    assert header.startswith("# generated")
    assert body.strip() == print_api_schema(SUPERGRAPH_PATH).strip()


def _reachable_arguments(schema: GraphQLSchema) -> set[str]:
    seen: set[str] = set()
    arguments: set[str] = set()
    pending = [schema.query_type]
    while pending:
        owner = pending.pop()
        if owner is None or owner.name in seen:
            continue
        seen.add(owner.name)
        for name, field in owner.fields.items():
            if f"{owner.name}.{name}" in EXCLUDED_FIELDS:
                continue
            arguments.update(f"{owner.name}.{name}.{argument}" for argument in field.args)
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType):
                pending.append(named)
    return arguments


def test_argument_samples_name_every_argument_random_operations_can_reach() -> None:
    schema = build_schema(API_SCHEMA_PATH.read_text())
    assert set(ARGUMENT_VALUES) == _reachable_arguments(schema)
    assert print_schema(schema)  # the schema builds


# --- hand-written operations -----------------------------------------------------------------

MUG = PRODUCTS["carol-mug"][0]
CAROL_SELLER = demo_id("seller", "carol")
ALICE_USD = demo_id("wallet", "alice-usd")
BOB_REVIEW = demo_id("video", "bob-review")
ALICE_USD_GIFT = demo_id("transaction", "alice-usd-2")

USER_FIELDS = "id email displayName roles status createdAt"
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

CASES: list[Any] = [
    pytest.param(
        f"{{ me {{ id }} users {{ edges {{ cursor node {{ {USER_FIELDS} }} }} {PAGE_INFO} }} }}",
        {},
        id="me_is_the_signed_in_admin_and_every_user_oldest_first",
    ),
    pytest.param(
        f"""query($id: ID!) {{ user(id: $id) {{ {USER_FIELDS}
            wallets {{ id currency balance {{ amount currency }} status createdAt
                transactions {{ edges {{ cursor node {{ id kind amount {{ amount currency }}
                    description createdAt }} }} {PAGE_INFO} }} }}
            orders {{ edges {{ node {{ id status total {{ amount currency }} }} }} {PAGE_INFO} }}
            videos {{ edges {{ node {{ id title status visibility durationSeconds }} }} }}
            tickets {{ edges {{ node {{ id subject status priority order {{ id status }} }} }} }}
            seller {{ id }} }} }}""",
        {"id": ALICE},
        id="user_wallets_orders_videos_tickets_from_four_subgraphs",
    ),
    pytest.param(
        """query($id: ID!) { user(id: $id) { displayName seller { id displayName createdAt
            user { id displayName } products(first: 2) { edges { node { id name } } } } } }""",
        {"id": CAROL},
        id="user_seller_and_back_to_user",
    ),
    pytest.param(
        """query($id: ID!) { order(id: $id) { id status createdAt total { amount currency }
            buyer { displayName wallets { currency } }
            lines { quantity unitPrice { amount currency } subtotal { amount currency }
                product { id name stock price { amount currency }
                    seller { displayName user { email } } } } } }""",
        {"id": ALICE_1},
        id="order_lines_product_seller_user",
    ),
    pytest.param(
        """query($id: ID!) { ticket(id: $id) { id subject body status priority createdAt
            updatedAt requester { displayName tickets { edges { node { id } } } }
            order { id status total { amount } buyer { id } lines { product { name } } } } }""",
        {"id": ALICE_MUG_TICKET},
        id="ticket_order_hop_from_support_to_commerce",
    ),
    pytest.param(
        """query($id: ID!) { product(id: $id) { id name description price { amount currency }
            stock createdAt seller { id displayName products { edges { node { name } } } } } }""",
        {"id": MUG},
        id="product_and_its_seller_products",
    ),
    pytest.param(
        """query($id: ID!) { seller(id: $id) { id displayName
            products(first: 100) { edges { cursor node { name } } pageInfo { hasNextPage } } } }""",
        {"id": CAROL_SELLER},
        id="seller_by_id",
    ),
    pytest.param(
        """query($w: ID!, $t: ID!) {
            wallet(id: $w) { id currency balance { amount currency } status
                owner { displayName orders(first: 1) { edges { node { id } } } } }
            transaction(id: $t) { id kind amount { amount currency } description
                wallet { id owner { id } } } }""",
        {"w": ALICE_USD, "t": ALICE_USD_GIFT},
        id="wallet_and_transaction",
    ),
    pytest.param(
        """query($public: ID!, $private: ID!, $unlisted: ID!) {
            public: video(id: $public) { id title owner { displayName } createdAt updatedAt }
            private: video(id: $private) { id }
            unlisted: video(id: $unlisted) { id visibility status owner { id } }
            videos { edges { cursor node { id title owner { displayName } } } pageInfo {
                hasNextPage endCursor } } }""",
        {"public": ALICE_UNBOXING, "private": ALICE_DRAFT, "unlisted": BOB_REVIEW},
        id="videos_for_an_anonymous_viewer",
    ),
    pytest.param(
        """{ all: tickets { edges { node { id status requester { displayName } } } }
            open: tickets(status: IN_PROGRESS) { edges { node { id } } pageInfo {
                hasNextPage hasPreviousPage } }
            none: tickets(status: CLOSED) { edges { node { id } } pageInfo {
                startCursor endCursor } } }""",
        {},
        id="tickets_newest_first_and_by_status",
    ),
    pytest.param(
        """query($u: ID!, $p: ID!, $o: ID!, $t: ID!) { user(id: $u) { id } product(id: $p) { id }
            seller(id: $u) { id } order(id: $o) { id } video(id: $o) { id } wallet(id: $u) { id }
            transaction(id: $t) { id } ticket(id: $t) { id } }""",
        {"u": UNKNOWN, "p": "not-a-uuid", "o": UNKNOWN, "t": UNKNOWN},
        id="unknown_ids_are_null",
    ),
    pytest.param(
        """{ serviceHistory(name: "identity") { edges { node { name status checkedAt } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""",
        {},
        id="service_history_as_seeded",
    ),
    pytest.param(
        "{ products(first: 0) { edges { cursor } } }",
        {},
        id="first_out_of_range_is_an_error_nulling_the_data",
    ),
    pytest.param(
        """query($id: ID!) { user(id: $id) { displayName orders(after: "not-a-cursor") {
            edges { cursor } } wallets { currency } } }""",
        {"id": BOB},
        id="malformed_nested_cursor_nulls_the_user",
    ),
    pytest.param(
        """{ products(first: 2) { edges { node { seller { user { orders(first: 101) {
            edges { cursor } } } } } } } users(first: 1) { edges { node { id } } } }""",
        {},
        id="nested_error_in_a_connection_of_a_root_list",
    ),
    pytest.param(
        f'query($id: ID = "{ALICE}") {{ user(id: $id) {{ displayName wallets {{ currency }} }} }}',
        {},
        id="nullable_variable_with_a_default_fills_a_non_null_argument",
    ),
    pytest.param(
        f'query($id: ID = "{ALICE}") {{ user(id: $id) {{ displayName }} '
        "users(first: 1) { edges { node { id } } } }",
        {"id": None},
        id="explicit_null_for_a_defaulted_variable_is_an_argument_error",
    ),
    pytest.param(
        "query($after: String) { products(after: $after) { edges { cursor } "
        "pageInfo { hasPreviousPage } } }",
        {"after": BEFORE_EVERYTHING},
        id="has_previous_page_after_a_cursor_that_no_edge_precedes",
    ),
]


@pytest.mark.parametrize(("query", "variables"), CASES)
async def test_router_agrees_with_the_oracle(
    ehb: Ehb, query: str, variables: dict[str, Any]
) -> None:
    await assert_agrees(ehb, query, variables)


# --- paging: every page of each connection, following the cursors both sides print ------------

WALKS = {
    "products_oldest_first": ("products(first: $first, after: $after)", ("products",)),
    "users_oldest_first": ("users(first: $first, after: $after)", ("users",)),
    "videos_newest_first": ("videos(first: $first, after: $after)", ("videos",)),
    "tickets_newest_first": ("tickets(first: $first, after: $after)", ("tickets",)),
    "alice_orders_newest_first": (
        f'user(id: "{ALICE}") {{ orders(first: $first, after: $after)',
        ("user", "orders"),
    ),
    "alice_usd_transactions_newest_first": (
        f'wallet(id: "{ALICE_USD}") {{ transactions(first: $first, after: $after)',
        ("wallet", "transactions"),
    ),
    "carol_products_oldest_first": (
        f'seller(id: "{CAROL_SELLER}") {{ products(first: $first, after: $after)',
        ("seller", "products"),
    ),
}


@pytest.mark.parametrize("walk", list(WALKS))
@pytest.mark.parametrize("first", [1, 2])
async def test_paging_through_a_connection_agrees_page_by_page(
    ehb: Ehb, walk: str, first: int
) -> None:
    opening, path = WALKS[walk]
    closing = "}" * (len(path) - 1)
    query = (
        f"query($first: Int, $after: String) {{ {opening} {{ edges {{ cursor node {{ id }} }} "
        f"{PAGE_INFO} }} {closing} }}"
    )
    after: str | None = None
    pages = 0
    while True:
        variables = {"first": first, "after": after}
        await assert_agrees(ehb, query, variables)
        answer: Any = (await ask_oracle(ehb.oracle, query, variables))["data"]
        for key in path:
            answer = answer[key]
        pages += 1
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
        assert pages < 20


def test_argument_samples_of_the_seeded_world_hold_real_cursors(ehb: Ehb) -> None:
    samples = argument_values(ehb.world)
    assert len(samples["Query.products.after"]) > len(ARGUMENT_VALUES["Query.products.after"])
    assert ALICE in samples["Query.user.id"]


# --- hasPreviousPage after the cursor of a row this filtered list leaves out ------------------


def real_cursors(ehb: Ehb, argument: str) -> list[str]:
    """The cursors of the seeded rows (and one of another table) that ``argument`` samples."""
    invalid = ARGUMENT_VALUES[argument]
    cursors = [
        c for c in argument_values(ehb.world)[argument] if c is not None and c not in invalid
    ]
    assert cursors
    return cursors


async def assert_agrees_without_errors(ehb: Ehb, query: str, variables: dict[str, Any]) -> Any:
    await assert_agrees(ehb, query, variables)
    answer = await ask_oracle(ehb.oracle, query, variables)
    assert "errors" not in answer, answer
    return answer["data"]


async def test_has_previous_page_after_each_tickets_cursor_in_every_status_filtered_list(
    ehb: Ehb,
) -> None:
    query = (
        "query($status: TicketStatus, $after: String) { tickets(status: $status, first: 2, "
        f"after: $after) {{ edges {{ cursor }} {PAGE_INFO} }} }}"
    )
    flags = set()
    for status in [None, "OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"]:
        for after in real_cursors(ehb, "Query.tickets.after"):
            variables = {"status": status, "after": after}
            data = await assert_agrees_without_errors(ehb, query, variables)
            flags.add(data["tickets"]["pageInfo"]["hasPreviousPage"])
    assert flags == {False, True}


async def test_has_previous_page_after_each_videos_cursor_in_every_users_public_list(
    ehb: Ehb,
) -> None:
    query = (
        "query($after: String) { users(first: 100) { edges { node { id videos(first: 1, "
        f"after: $after) {{ edges {{ cursor }} {PAGE_INFO} }} }} }} }} }}"
    )
    flags = set()
    for after in real_cursors(ehb, "User.videos.after"):
        data = await assert_agrees_without_errors(ehb, query, {"after": after})
        for edge in data["users"]["edges"]:
            flags.add(edge["node"]["videos"]["pageInfo"]["hasPreviousPage"])
    assert flags == {False, True}
