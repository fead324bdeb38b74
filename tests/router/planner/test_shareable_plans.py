"""Plan snapshots: the shareable feature graph (`@shareable` root fields and entities of two
subgraphs, `@provides` nested and on interface and union fields)."""

from __future__ import annotations

from tests.router.planner.conftest import PlanText


def test_shareable_root_field_is_fetched_once_from_the_subgraph_with_every_field(
    plan: PlanText,
) -> None:
    operation = """
        {
          products {
            name
            stock
          }
        }
    """
    assert (
        plan("features/shareable", operation)
        == """\
QueryPlan {
  Fetch(service: "inventory") {
    {
      products {
        name
        stock
      }
    }
  },
}"""
    )


def test_shareable_root_field_needing_both_subgraphs(plan: PlanText) -> None:
    operation = """
        {
          product(id: "p2") {
            name
            price {
              amount
            }
            stock
          }
        }
    """
    assert (
        plan("features/shareable", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        product(id: "p2") {
          __typename
          name
          price {
            amount
          }
          id
        }
      }
    },
    Flatten(path: "product") {
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


def test_nested_provides_then_a_fetch_for_the_rest(plan: PlanText) -> None:
    operation = """
        {
          reviews {
            product {
              name
              vendor {
                name
                since
              }
            }
          }
        }
    """
    assert (
        plan("features/shareable", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "reviews") {
      {
        reviews {
          product {
            name
            vendor {
              __typename
              name
              id
            }
          }
        }
      }
    },
    Flatten(path: "reviews.@.product.vendor") {
      Fetch(service: "catalog") {
        {
          ... on Vendor {
            __typename
            id
          }
        } =>
        {
          ... on Vendor {
            since
          }
        }
      },
    },
  },
}"""
    )


def test_provides_on_a_union_field_then_a_fetch_for_the_rest(plan: PlanText) -> None:
    operation = """
        {
          reviews {
            about {
              ... on Product {
                name
                stock
              }
              ... on Vendor {
                name
              }
            }
          }
        }
    """
    assert (
        plan("features/shareable", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "reviews") {
      {
        reviews {
          about {
            __typename
            ... on Product {
              __typename
              name
              id
            }
            ... on Vendor {
              name
            }
          }
        }
      }
    },
    Flatten(path: "reviews.@.about") {
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


def test_interface_field_provided_for_one_implementation_only(plan: PlanText) -> None:
    """`Review.author` provides `... on Critic { name outlet } ... on Customer { handle }`: a
    Customer's `name` is not provided and comes from people (@apollo/query-planner's plan)."""
    operation = """
        {
          reviews {
            author {
              name
            }
          }
        }
    """
    assert (
        plan("features/shareable", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "reviews") {
      {
        reviews {
          author {
            __typename
            ... on Critic {
              name
            }
            ... on Customer {
              __typename
              id
            }
          }
        }
      }
    },
    Flatten(path: "reviews.@.author") {
      Fetch(service: "people") {
        {
          ... on Customer {
            __typename
            id
          }
        } =>
        {
          ... on Customer {
            name
          }
        }
      },
    },
  },
}"""
    )
