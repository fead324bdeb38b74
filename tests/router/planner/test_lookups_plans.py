"""Plan snapshots: the lookups feature graph (tests/fixtures/features/lookups).

nodes serves `node`/`nodes` over the `Node` interface but knows User and Post by key only:
each type condition is completed by the subgraph that owns the type (accounts, content), in
parallel, through `_entities` with the flattened path of the list.
"""

from __future__ import annotations

from tests.router.planner.conftest import PlanText


def test_each_type_condition_is_completed_by_its_owner_in_parallel(plan: PlanText) -> None:
    operation = """
        {
          nodes(ids: ["User:1", "Post:1"]) {
            __typename
            id
            ... on User {
              name
            }
            ... on Post {
              title
            }
          }
        }
    """
    assert (
        plan("features/lookups", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "nodes") {
      {
        nodes(ids: ["User:1", "Post:1"]) {
          __typename
          id
          ... on User {
            __typename
            id
          }
          ... on Post {
            __typename
            id
          }
        }
      }
    },
    Parallel {
      Flatten(path: "nodes.@") {
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
      Flatten(path: "nodes.@") {
        Fetch(service: "content") {
          {
            ... on Post {
              __typename
              id
            }
          } =>
          {
            ... on Post {
              title
            }
          }
        },
      },
    },
  },
}"""
    )


def test_hops_from_the_lookup_through_post_author_and_back(plan: PlanText) -> None:
    operation = """
        {
          node(id: "Post:1") {
            ... on Post {
              title
              author {
                name
                posts {
                  body
                }
              }
            }
          }
        }
    """
    assert (
        plan("features/lookups", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "nodes") {
      {
        node(id: "Post:1") {
          __typename
          ... on Post {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "node") {
      Fetch(service: "content") {
        {
          ... on Post {
            __typename
            id
          }
        } =>
        {
          ... on Post {
            title
            author {
              __typename
              id
            }
          }
        }
      },
    },
    Flatten(path: "node.author") {
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
            posts {
              __typename
              id
            }
          }
        }
      },
    },
    Flatten(path: "node.author.posts.@") {
      Fetch(service: "content") {
        {
          ... on Post {
            __typename
            id
          }
        } =>
        {
          ... on Post {
            body
          }
        }
      },
    },
  },
}"""
    )


def test_interface_fields_the_lookup_knows_need_no_entity_fetch(plan: PlanText) -> None:
    operation = """
        {
          nodes(ids: ["User:1"]) {
            __typename
            id
          }
        }
    """
    assert (
        plan("features/lookups", operation)
        == """\
QueryPlan {
  Fetch(service: "nodes") {
    {
      nodes(ids: ["User:1"]) {
        __typename
        id
      }
    }
  },
}"""
    )


def test_a_named_fragment_on_the_interface_under_two_root_fields(plan: PlanText) -> None:
    operation = """
        query Lookup {
          first: node(id: "Post:4") {
            ...NodeParts
          }
          second: nodes(ids: ["User:3"]) {
            ...NodeParts
          }
        }

        fragment NodeParts on Node {
          id
          ... on Post {
            title
          }
          ... on User {
            handle
          }
        }
    """
    assert (
        plan("features/lookups", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "nodes") {
      {
        first: node(id: "Post:4") {
          __typename
          id
          ... on Post {
            __typename
            id
          }
          ... on User {
            __typename
            id
          }
        }
        second: nodes(ids: ["User:3"]) {
          __typename
          id
          ... on Post {
            __typename
            id
          }
          ... on User {
            __typename
            id
          }
        }
      }
    },
    Parallel {
      Flatten(paths: ["first", "second.@"]) {
        Fetch(service: "content") {
          {
            ... on Post {
              __typename
              id
            }
          } =>
          {
            ... on Post {
              title
            }
          }
        },
      },
      Flatten(paths: ["first", "second.@"]) {
        Fetch(service: "accounts") {
          {
            ... on User {
              __typename
              id
            }
          } =>
          {
            ... on User {
              handle
            }
          }
        },
      },
    },
  },
}"""
    )
