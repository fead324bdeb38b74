"""Plan snapshots: multiple, compound, nested and non-resolvable keys."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_key_is_chosen_per_target_subgraph(plan: PlanText) -> None:
    operation = """
        {
          users {
            name
            plan
          }
        }
    """
    assert (
        plan("keys", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "users") {
      {
        users {
          __typename
          name
          email
        }
      }
    },
    Flatten(path: "users.@") {
      Fetch(service: "billing") {
        {
          ... on User {
            __typename
            email
          }
        } =>
        {
          ... on User {
            plan
          }
        }
      },
    },
  },
}"""
    )


def test_nested_compound_key_is_sent_whole(plan: PlanText) -> None:
    operation = """
        {
          invoices {
            number
            paid
            total
            account {
              region
            }
          }
        }
    """
    assert (
        plan("keys", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "ledger") {
      {
        invoices {
          __typename
          number
          paid
          account {
            id
            region
          }
        }
      }
    },
    Flatten(path: "invoices.@") {
      Fetch(service: "billing") {
        {
          ... on Invoice {
            __typename
            account {
              id
            }
            number
          }
        } =>
        {
          ... on Invoice {
            total
          }
        }
      },
    },
  },
}"""
    )


def test_compound_key_of_scalar_fields(plan: PlanText) -> None:
    operation = """
        {
          seats {
            room
            view
            price
          }
        }
    """
    assert (
        plan("keys", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "ledger") {
      {
        seats {
          __typename
          room
          row
          price
        }
      }
    },
    Flatten(path: "seats.@") {
      Fetch(service: "venues") {
        {
          ... on Seat {
            __typename
            room
            row
          }
        } =>
        {
          ... on Seat {
            view
          }
        }
      },
    },
  },
}"""
    )


def test_key_missing_in_source_is_fetched_from_a_third_subgraph_first(plan: PlanText) -> None:
    operation = """
        {
          reviews {
            body
            author {
              id
              name
              email
              plan
            }
          }
        }
    """
    assert (
        plan("keys", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "venues") {
      {
        reviews {
          body
          author {
            __typename
            id
            name
          }
        }
      }
    },
    Flatten(path: "reviews.@.author") {
      Fetch(service: "users") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            email
          }
        }
      },
    },
    Flatten(path: "reviews.@.author") {
      Fetch(service: "billing") {
        {
          ... on User {
            __typename
            email
          }
        } =>
        {
          ... on User {
            plan
          }
        }
      },
    },
  },
}"""
    )
