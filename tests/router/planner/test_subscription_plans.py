"""Plan snapshots: subscriptions (tests/fixtures/subscriptions). A subscription is one upstream
subscription to the subgraph owning the field (Primary) and what runs for each event (Rest),
printed as Apollo's planner prints it (tools/node/apollo-plan.mjs gives the same text)."""

from __future__ import annotations

from tests.router.planner.conftest import PlanText


def test_an_event_completed_by_another_subgraph_has_a_rest(plan: PlanText) -> None:
    operation = 'subscription { notificationAdded(topic: "t") { id order { label buyerEmail } } }'

    assert (
        plan("subscriptions", operation)
        == """\
QueryPlan {
  Subscription {
    Primary: {
      Fetch(service: "feed") {
        {
          notificationAdded(topic: "t") {
            id
            order {
              __typename
              id
            }
          }
        }
      }
    },
    Rest: {
      Sequence {
        Flatten(path: "notificationAdded.order") {
          Fetch(service: "shop") {
            {
              ... on Order {
                __typename
                id
              }
            } =>
            {
              ... on Order {
                label
                buyerEmail
              }
            }
          },
        },
      }
    }
  },
}"""
    )


def test_an_event_the_owning_subgraph_answers_alone_has_only_a_primary(plan: PlanText) -> None:
    assert (
        plan("subscriptions", "subscription { countTo(to: 3) }")
        == """\
QueryPlan {
  Subscription {
    Primary: {
      Fetch(service: "feed") {
        {
          countTo(to: 3)
        }
      }
    }
  },
}"""
    )
