"""Plan snapshots: @interfaceObject and entity interfaces."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_interface_object_fields_and_the_typename_hop(plan: PlanText) -> None:
    operation = """
        {
          topRated {
            id
            stars
            title
            __typename
            ... on Book {
              pages
            }
          }
        }
    """
    assert (
        plan("interface_object", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "ratings") {
      {
        topRated {
          __typename
          id
          stars
        }
      }
    },
    Flatten(path: "topRated.@") {
      Fetch(service: "library") {
        {
          ... on Media {
            __typename
            id
          }
        } =>
        {
          ... on Media {
            __typename
            title
            ... on Book {
              pages
            }
          }
        }
      },
    },
  },
}"""
    )


def test_implementation_fields_resolved_by_an_interface_object(plan: PlanText) -> None:
    operation = """
        {
          allMedia {
            id
            title
            stars
            ... on Movie {
              minutes
            }
          }
        }
    """
    assert (
        plan("interface_object", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "library") {
      {
        allMedia {
          __typename
          id
          title
          ... on Book {
            __typename
            id
          }
          ... on Movie {
            __typename
            id
            minutes
          }
        }
      }
    },
    Flatten(path: "allMedia.@") {
      Fetch(service: "ratings") {
        {
          ... on Media {
            __typename
            id
          }
        } =>
        {
          ... on Media {
            stars
          }
        }
      },
    },
  },
}"""
    )


def test_interface_object_without_type_information_needs_no_typename_hop(plan: PlanText) -> None:
    operation = """
        {
          topRated {
            id
            stars
          }
        }
    """
    assert (
        plan("interface_object", operation)
        == """\
QueryPlan {
  Fetch(service: "ratings") {
    {
      topRated {
        __typename
        id
        stars
      }
    }
  },
}"""
    )
