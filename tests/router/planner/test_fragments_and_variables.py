"""Plan snapshots: named/inline fragments, aliases, variables, @skip/@include."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_named_fragments_are_expanded_and_merged(plan: PlanText) -> None:
    operation = """
        query Q {
          me {
            ...U
            reviews {
              id
            }
          }
        }

        fragment U on User {
          id
          name
          reviews {
            body
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
          name
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
              body
              id
            }
          }
        }
      },
    },
  },
}"""
    )


def test_aliases_shadowing_key_or_required_fields_are_renamed_for_subgraphs(plan: PlanText) -> None:
    operation = """
        query Q {
          topProducts(first: 2) {
            upc
            id: name
            shippingEstimate
            weight: price
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
        topProducts(first: 2) {
          __typename
          upc
          _ehb_id: name
          price
          weight
          _ehb_weight: price
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


def test_literal_skip_and_include_are_resolved_at_plan_time(plan: PlanText) -> None:
    operation = """
        query Q {
          me {
            ... on User @include(if: false) {
              reviews {
                body
              }
            }
            username
            name @skip(if: true)
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Fetch(service: "accounts") {
    {
      me {
        username
      }
    }
  },
}"""
    )


def test_variable_include_on_an_entity_field_becomes_a_condition(plan: PlanText) -> None:
    operation = """
        query Q($withReviews: Boolean!) {
          me {
            id
            reviews @include(if: $withReviews) {
              body
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
          __typename @include(if: $withReviews)
          id
        }
      }
    },
    Include(if: $withReviews) {
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
                body
              }
            }
          }
        },
      }
    },
  },
}"""
    )


def test_variable_skip_on_a_fragment_with_entity_fields(plan: PlanText) -> None:
    operation = """
        query Q($brief: Boolean = true) {
          topProducts {
            name
            ... @skip(if: $brief) {
              inStock
              reviews {
                body
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
    Fetch(service: "products") {
      {
        topProducts {
          name
          ... @skip(if: $brief) {
            __typename
            upc
          }
        }
      }
    },
    Skip(if: $brief) {
      Parallel {
        Flatten(path: "topProducts.@") {
          Fetch(service: "inventory") {
            {
              ... on Product {
                __typename
                upc
              }
            } =>
            {
              ... on Product {
                inStock
              }
            }
          },
        },
        Flatten(path: "topProducts.@") {
          Fetch(service: "reviews") {
            {
              ... on Product {
                __typename
                upc
              }
            } =>
            {
              ... on Product {
                reviews {
                  body
                }
              }
            }
          },
        },
      }
    },
  },
}"""
    )
