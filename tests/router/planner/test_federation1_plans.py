"""Plan snapshots: the federation1 feature graph (Federation 1 subgraphs upgraded by
@apollo/composition: `extend type`/`@extends` extensions, `@requires`, `@provides`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from router.operation.document import load_operation
from router.planner import QueryPlanner, print_plan
from router.supergraph import Supergraph, load_supergraph

SUPERGRAPH = (
    Path(__file__).resolve().parents[3]
    / "tests"
    / "fixtures"
    / "features"
    / "federation1"
    / "supergraph.graphql"
)


@cache
def supergraph() -> Supergraph:
    return load_supergraph(SUPERGRAPH.read_text())


def plan(document: str) -> str:
    operation = load_operation(supergraph().api_schema, document, None)
    return print_plan(QueryPlanner(supergraph()).plan(operation).query_plan())


def test_requires_on_an_extends_extension() -> None:
    operation = """
        {
          users {
            username
            age
          }
        }
    """
    assert (
        plan(operation)
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


def test_provides_skips_the_owner_fetch() -> None:
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
        plan(operation)
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


def test_provides_then_requires_across_three_subgraphs() -> None:
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
        plan(operation)
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


def test_aliases_reusing_required_field_names() -> None:
    operation = """
        {
          users {
            birthYear: username
            age
          }
        }
    """
    assert (
        plan(operation)
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
