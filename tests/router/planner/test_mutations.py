"""Plan snapshots: mutations run root fields serially, each followed by its entity fetches."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_mutation_fields_are_serial_with_their_entity_fetches(plan: PlanText) -> None:
    operation = """
        mutation M {
          a: createUser(name: "x") {
            id
            name
            reviews {
              body
            }
          }
          b: addReview(body: "b", authorId: "1") {
            id
            author {
              name
            }
          }
        }
    """
    assert (
        plan("mutations", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        a: createUser(name: "x") {
          __typename
          id
          name
        }
      }
    },
    Flatten(path: "a") {
      Fetch(service: "reviews") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            reviews {
              body
            }
          }
        }
      },
    },
    Fetch(service: "reviews") {
      {
        b: addReview(body: "b", authorId: "1") {
          id
          author {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "b.author") {
      Fetch(service: "accounts") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            name
          }
        }
      },
    },
  },
}"""
    )


def test_consecutive_fields_of_one_subgraph_share_a_request_when_nothing_runs_between(
    plan: PlanText,
) -> None:
    operation = """
        mutation M($id: ID!) {
          first: renameUser(id: $id, name: "a") {
            name
          }
          second: renameUser(id: $id, name: "b") {
            name
            reviews {
              body
            }
          }
          third: createUser(name: "c") {
            id
          }
        }
    """
    assert (
        plan("mutations", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        first: renameUser(id: $id, name: "a") {
          name
        }
        second: renameUser(id: $id, name: "b") {
          __typename
          name
          id
        }
      }
    },
    Flatten(path: "second") {
      Fetch(service: "reviews") {
        {
          ... on User {
            __typename
            id
          }
        } =>
        {
          ... on User {
            reviews {
              body
            }
          }
        }
      },
    },
    Fetch(service: "accounts") {
      {
        third: createUser(name: "c") {
          id
        }
      }
    },
  },
}"""
    )
