"""Plan snapshots: @shareable fields stay in the current subgraph; @override moves a field."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_shareable_fields_are_taken_from_the_subgraph_already_fetching(plan: PlanText) -> None:
    operation = """
        {
          searchProducts(term: "a") {
            id
            name
          }
        }
    """
    assert (
        plan("shareable", operation)
        == """\
QueryPlan {
  Fetch(service: "search") {
    {
      searchProducts(term: "a") {
        id
        name
      }
    }
  },
}"""
    )


def test_shareable_root_fields_share_one_fetch(plan: PlanText) -> None:
    operation = """
        {
          products {
            name
            description
          }
          shop {
            name
          }
        }
    """
    assert (
        plan("shareable", operation)
        == """\
QueryPlan {
  Fetch(service: "products") {
    {
      products {
        name
        description
      }
      shop {
        name
      }
    }
  },
}"""
    )


def test_overridden_field_is_fetched_from_the_overriding_subgraph(plan: PlanText) -> None:
    operation = """
        {
          products {
            name
            stock
          }
        }
    """
    assert (
        plan("shareable", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        products {
          __typename
          name
          id
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            id
          }
        } =>
        {
          ... on Product {
            stock
          }
        }
      },
    },
  },
}"""
    )
