"""Plan snapshots: interfaces and unions whose members live in different subgraphs."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_union_members_are_completed_by_their_own_subgraphs(plan: PlanText) -> None:
    operation = """
        {
          search(term: "x") {
            __typename
            ... on Book {
              title
              pages
            }
            ... on Movie {
              title
              minutes
            }
          }
        }
    """
    assert (
        plan("abstract", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        search(term: "x") {
          __typename
          ... on Book {
            __typename
            title
            id
          }
          ... on Movie {
            __typename
            title
            id
          }
        }
      }
    },
    Parallel {
      Flatten(path: "search.@") {
        Fetch(service: "books") {
          {
            ... on Book {
              __typename
              id
            }
          } =>
          {
            ... on Book {
              pages
            }
          }
        },
      },
      Flatten(path: "search.@") {
        Fetch(service: "movies") {
          {
            ... on Movie {
              __typename
              id
            }
          } =>
          {
            ... on Movie {
              minutes
            }
          }
        },
      },
    },
  },
}"""
    )


def test_interface_fields_and_type_conditions(plan: PlanText) -> None:
    operation = """
        {
          media {
            id
            title
            ... on Book {
              author
            }
          }
          node(id: "1") {
            id
            ... on Movie {
              minutes
            }
          }
        }
    """
    assert (
        plan("abstract", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        media {
          __typename
          id
          title
          ... on Book {
            __typename
            id
          }
        }
        node(id: "1") {
          __typename
          id
          ... on Movie {
            __typename
            id
          }
        }
      }
    },
    Parallel {
      Flatten(path: "media.@") {
        Fetch(service: "books") {
          {
            ... on Book {
              __typename
              id
            }
          } =>
          {
            ... on Book {
              author
            }
          }
        },
      },
      Flatten(path: "node") {
        Fetch(service: "movies") {
          {
            ... on Movie {
              __typename
              id
            }
          } =>
          {
            ... on Movie {
              minutes
            }
          }
        },
      },
    },
  },
}"""
    )


def test_union_member_unknown_to_a_subgraph_is_never_asked_of_it(plan: PlanText) -> None:
    operation = """
        {
          featured {
            ... on Movie {
              title
              minutes
            }
            ... on Podcast {
              episodes
            }
          }
        }
    """
    assert (
        plan("abstract", operation)
        == """\
QueryPlan {
  Fetch(service: "movies") {
    {
      featured {
        __typename
        ... on Movie {
          title
          minutes
        }
        ... on Podcast {
          episodes
        }
      }
    }
  },
}"""
    )


def test_fragment_on_interface_inside_union(plan: PlanText) -> None:
    operation = """
        {
          search(term: "x") {
            ... on Media {
              title
            }
            ... on Book {
              pages
            }
          }
        }
    """
    assert (
        plan("abstract", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        search(term: "x") {
          __typename
          ... on Media {
            title
          }
          ... on Book {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "search.@") {
      Fetch(service: "books") {
        {
          ... on Book {
            __typename
            id
          }
        } =>
        {
          ... on Book {
            pages
          }
        }
      },
    },
  },
}"""
    )
