"""One request through the router that needs all six subgraphs, and the router's /health."""

import aiohttp

from subgraphs import SUBGRAPH_NAMES
from tests.integration.platform.client import GraphQLClient
from tests.integration.platform.demo import (
    ALICE,
    ALICE_1,
    ALICE_2,
    ALICE_DRAFT,
    ALICE_MUG_TICKET,
    ALICE_TRAVEL,
    ALICE_UNBOXING,
    PRODUCTS,
    WALLETS,
    money,
)
from tests.integration.platform.servers import Platform

SIX_SUBGRAPH_QUERY = """
query Dashboard($id: ID!) {
  user(id: $id) {
    id
    displayName
    email
    roles
    wallets { id currency balance { amount currency } }
    orders {
      edges {
        node {
          id
          status
          total { amount currency }
          buyer { displayName }
          lines { quantity unitPrice { amount currency } subtotal { amount } product { id name } }
        }
      }
    }
    videos { edges { node { id title status visibility durationSeconds } } }
    tickets {
      edges { node { id subject status priority order { id status total { amount } } } }
    }
  }
  services { name status }
}
"""


async def test_one_request_returns_data_from_all_six_subgraphs(router: GraphQLClient) -> None:
    data = await router.query(SIX_SUBGRAPH_QUERY, {"id": ALICE})

    buyer = {"displayName": "Alice Martin"}
    mug_id, mug = PRODUCTS["carol-mug"]
    candle_id, candle = PRODUCTS["carol-candle"]
    scarf_id, scarf = PRODUCTS["carol-scarf"]
    assert data["user"] == {
        "id": ALICE,
        "displayName": "Alice Martin",
        "email": "alice@example.com",
        "roles": ["USER"],
        "wallets": WALLETS[ALICE],
        "orders": {
            "edges": [
                {
                    "node": {
                        "id": ALICE_2,
                        "status": "PENDING",
                        "total": money(5_900, "USD"),
                        "buyer": buyer,
                        "lines": [
                            {
                                "quantity": 1,
                                "unitPrice": money(5_900, "USD"),
                                "subtotal": {"amount": 5_900},
                                "product": {"id": scarf_id, "name": scarf},
                            }
                        ],
                    }
                },
                {
                    "node": {
                        "id": ALICE_1,
                        "status": "DELIVERED",
                        "total": money(8_550, "USD"),
                        "buyer": buyer,
                        "lines": [
                            {
                                "quantity": 2,
                                "unitPrice": money(2_400, "USD"),
                                "subtotal": {"amount": 4_800},
                                "product": {"id": mug_id, "name": mug},
                            },
                            {
                                "quantity": 3,
                                "unitPrice": money(1_250, "USD"),
                                "subtotal": {"amount": 3_750},
                                "product": {"id": candle_id, "name": candle},
                            },
                        ],
                    }
                },
            ]
        },
        # The administrator sees all of alice's videos, newest first (her PRIVATE draft too;
        # other people see only PUBLIC, READY ones: test_access.py).
        "videos": {
            "edges": [
                {
                    "node": {
                        "id": ALICE_DRAFT,
                        "title": "Draft: kitchen tour",
                        "status": "PROCESSING",
                        "visibility": "PRIVATE",
                        "durationSeconds": None,
                    }
                },
                {
                    "node": {
                        "id": ALICE_TRAVEL,
                        "title": "Three days in Lisbon",
                        "status": "READY",
                        "visibility": "PUBLIC",
                        "durationSeconds": 1045,
                    }
                },
                {
                    "node": {
                        "id": ALICE_UNBOXING,
                        "title": "Unboxing my handmade mug from Carol's Crafts",
                        "status": "READY",
                        "visibility": "PUBLIC",
                        "durationSeconds": 312,
                    }
                },
            ]
        },
        "tickets": {
            "edges": [
                {
                    "node": {
                        "id": ALICE_MUG_TICKET,
                        "subject": "My mug arrived cracked",
                        "status": "IN_PROGRESS",
                        "priority": "HIGH",
                        "order": {"id": ALICE_1, "status": "DELIVERED", "total": {"amount": 8_550}},
                    }
                }
            ]
        },
    }
    assert data["services"] == [
        {"name": name, "status": "UP"} for name in ("router", *SUBGRAPH_NAMES)
    ]


async def test_router_health_reports_every_subgraph_passing(
    platform: Platform, http: aiohttp.ClientSession
) -> None:
    async with http.get(platform.router.health_url) as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "pass"
    assert sorted(body["subgraphs"]) == sorted(SUBGRAPH_NAMES)
    assert {report["status"] for report in body["subgraphs"].values()} == {"pass"}
