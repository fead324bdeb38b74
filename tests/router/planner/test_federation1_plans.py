"""Plan snapshots: the federation1 feature graph (Federation 1 subgraphs upgraded by
@apollo/composition: `extend type`/`@extends` extensions, `@requires`, `@provides`)."""

from __future__ import annotations

from tests.router.planner.conftest import PlanText


def test_requires_on_an_extends_extension(plan: PlanText) -> None:
    operation = """
        {
          users {
            username
            age
          }
        }
    """
    assert (
        plan("features/federation1", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "users") {
      {
        users {
          __typename
          username
          id
          birthYear
        }
      }
    },
    Flatten(path: "users.@") {
      Fetch(service: "stats") {
        {
          ... on User {
            __typename
            id
            birthYear
          }
        } =>
        {
          ... on User {
            age
          }
        }
      },
    },
  },
}"""
    )


def test_provides_skips_the_owner_fetch(plan: PlanText) -> None:
    operation = """
        {
          posts {
            title
            author {
              id
              username
            }
          }
        }
    """
    assert (
        plan("features/federation1", operation)
        == """\
QueryPlan {
  Fetch(service: "posts") {
    {
      posts {
        title
        author {
          id
          username
        }
      }
    }
  },
}"""
    )


def test_provides_then_requires_across_three_subgraphs(plan: PlanText) -> None:
    operation = """
        {
          posts {
            titleLength
            author {
              username
              age
            }
          }
        }
    """
    assert (
        plan("features/federation1", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "posts") {
      {
        posts {
          __typename
          id
          title
          author {
            __typename
            username
            id
          }
        }
      }
    },
    Parallel {
      Flatten(path: "posts.@") {
        Fetch(service: "stats") {
          {
            ... on Post {
              __typename
              id
              title
            }
          } =>
          {
            ... on Post {
              titleLength
            }
          }
        },
      },
      Flatten(path: "posts.@.author") {
        Fetch(service: "users") {
          {
            ... on User {
              __typename
              id
            }
          } =>
          {
            ... on User {
              birthYear
            }
          }
        },
      },
    },
    Flatten(path: "posts.@.author") {
      Fetch(service: "stats") {
        {
          ... on User {
            __typename
            id
            birthYear
          }
        } =>
        {
          ... on User {
            age
          }
        }
      },
    },
  },
}"""
    )


def test_aliases_reusing_required_field_names(plan: PlanText) -> None:
    operation = """
        {
          users {
            birthYear: username
            age
          }
        }
    """
    assert (
        plan("features/federation1", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "users") {
      {
        users {
          __typename
          _ehb_birthYear: username
          id
          birthYear
        }
      }
    },
    Flatten(path: "users.@") {
      Fetch(service: "stats") {
        {
          ... on User {
            __typename
            id
            birthYear
          }
        } =>
        {
          ... on User {
            age
          }
        }
      },
    },
  },
}"""
    )
