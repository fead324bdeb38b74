"""Plan snapshots: @requires (simple, nested selections, chains, abstract types)."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_required_fields_are_fetched_first_and_sent_in_the_representation(plan: PlanText) -> None:
    operation = """
        {
          topProducts {
            shippingEstimate
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        topProducts {
          __typename
          upc
          price
          weight
        }
      }
    },
    Flatten(path: "topProducts.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
            price
            weight
          }
        } =>
        {
          ... on Product {
            shippingEstimate
          }
        }
      },
    },
  },
}"""
    )


def test_required_fields_from_another_subgraph_add_a_wave(plan: PlanText) -> None:
    operation = """
        {
          me {
            reviews {
              product {
                shippingEstimate
              }
            }
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        me {
          __typename
          id
        }
      }
    },
    Flatten(path: "me") {
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
              product {
                __typename
                upc
              }
            }
          }
        }
      },
    },
    Flatten(path: "me.reviews.@.product") {
      Fetch(service: "products") {
        {
          ... on Product {
            __typename
            upc
          }
        } =>
        {
          ... on Product {
            price
            weight
          }
        }
      },
    },
    Flatten(path: "me.reviews.@.product") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            upc
            price
            weight
          }
        } =>
        {
          ... on Product {
            shippingEstimate
          }
        }
      },
    },
  },
}"""
    )


def test_requirement_chains_and_nested_required_selections(plan: PlanText) -> None:
    operation = """
        {
          products {
            id
            total
          }
        }
    """
    assert (
        plan("requires", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        products {
          __typename
          id
          price
          weight
          dimensions {
            width
            height
          }
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "shipping") {
        {
          ... on Product {
            __typename
            id
            weight
            dimensions {
              width
              height
            }
          }
        } =>
        {
          ... on Product {
            shipping
          }
        }
      },
    },
    Flatten(path: "products.@") {
      Fetch(service: "tax") {
        {
          ... on Product {
            __typename
            id
            price
            shipping
          }
        } =>
        {
          ... on Product {
            total
          }
        }
      },
    },
  },
}"""
    )


def test_requirements_with_fragments_on_abstract_types(plan: PlanText) -> None:
    operation = """
        {
          shelves {
            id
            load
            items {
              ... on Film {
                minutes
              }
            }
          }
        }
    """
    assert (
        plan("requires_abstract", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        shelves {
          __typename
          id
          items {
            __typename
            weight
            ... on Book {
              pages
            }
            ... on Film {
              minutes
            }
          }
        }
      }
    },
    Flatten(path: "shelves.@") {
      Fetch(service: "shipping") {
        {
          ... on Shelf {
            __typename
            id
            items {
              __typename
              weight
              ... on Book {
                pages
              }
            }
          }
        } =>
        {
          ... on Shelf {
            load
          }
        }
      },
    },
  },
}"""
    )


def test_required_field_of_the_subgraph_holding_its_parent_goes_through_entities(
    plan: PlanText,
) -> None:
    operation = """
        {
          cheapest {
            id
            shipping
            total
          }
        }
    """
    assert (
        plan("requires", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "shipping") {
      {
        cheapest {
          __typename
          id
        }
      }
    },
    Flatten(path: "cheapest") {
      Fetch(service: "products") {
        {
          ... on Product {
            __typename
            id
          }
        } =>
        {
          ... on Product {
            weight
            dimensions {
              width
              height
            }
            price
          }
        }
      },
    },
    Flatten(path: "cheapest") {
      Fetch(service: "shipping") {
        {
          ... on Product {
            __typename
            id
            weight
            dimensions {
              width
              height
            }
          }
        } =>
        {
          ... on Product {
            shipping
          }
        }
      },
    },
    Flatten(path: "cheapest") {
      Fetch(service: "tax") {
        {
          ... on Product {
            __typename
            id
            price
            shipping
          }
        } =>
        {
          ... on Product {
            total
          }
        }
      },
    },
  },
}"""
    )
