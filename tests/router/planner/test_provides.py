"""Plan snapshots: @provides skips fetches for provided fields only."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_provided_field_is_fetched_from_the_providing_subgraph(plan: PlanText) -> None:
    operation = """
        {
          topProducts {
            reviews {
              author {
                username
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
          __typename
          upc
        }
      }
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
              author {
                username
              }
            }
          }
        }
      },
    },
  },
}"""
    )


def test_field_outside_provides_still_needs_an_entity_fetch(plan: PlanText) -> None:
    operation = """
        {
          topProducts {
            reviews {
              author {
                username
                name
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
          __typename
          upc
        }
      }
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
              author {
                __typename
                username
                id
              }
            }
          }
        }
      },
    },
    Flatten(path: "topProducts.@.reviews.@.author") {
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


def test_provides_does_not_apply_off_the_providing_path(plan: PlanText) -> None:
    operation = """
        {
          topProducts {
            reviews {
              product {
                reviews {
                  author {
                    username
                  }
                }
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
          __typename
          upc
        }
      }
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
              product {
                reviews {
                  author {
                    username
                  }
                }
              }
            }
          }
        }
      },
    },
  },
}"""
    )


def test_provides_on_a_reference_only_entity(plan: PlanText) -> None:
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
        plan("keys", operation)
        == """\
QueryPlan {
  Fetch(service: "venues") {
    {
      reviews {
        author {
          name
        }
      }
    }
  },
}"""
    )


def test_nested_provides_and_provides_on_union_members(plan: PlanText) -> None:
    operation = """
        {
          deals {
            title
            product {
              name
              price
              maker {
                name
                country
              }
            }
          }
          promo {
            ... on Product {
              name
              price
            }
            ... on Maker {
              name
              country
            }
          }
        }
    """
    assert (
        plan("provides", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "deals") {
      {
        deals {
          title
          product {
            __typename
            name
            id
            maker {
              __typename
              name
              id
            }
          }
        }
        promo {
          __typename
          ... on Product {
            __typename
            name
            id
          }
          ... on Maker {
            __typename
            name
            id
          }
        }
      }
    },
    Parallel {
      Flatten(paths: ["deals.@.product", "promo.@"]) {
        Fetch(service: "products") {
          {
            ... on Product {
              __typename
              id
            }
          } =>
          {
            ... on Product {
              price
            }
          }
        },
      },
      Flatten(paths: ["deals.@.product.maker", "promo.@"]) {
        Fetch(service: "makers") {
          {
            ... on Maker {
              __typename
              id
            }
          } =>
          {
            ... on Maker {
              country
            }
          }
        },
      },
    },
  },
}"""
    )


def test_provides_reach_only_the_provided_path(plan: PlanText) -> None:
    operation = """
        {
          products {
            name
            maker {
              name
            }
          }
        }
    """
    assert (
        plan("provides", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "products") {
      {
        products {
          name
          maker {
            __typename
            id
          }
        }
      }
    },
    Flatten(path: "products.@.maker") {
      Fetch(service: "makers") {
        {
          ... on Maker {
            __typename
            id
          }
        } =>
        {
          ... on Maker {
            name
          }
        }
      },
    },
  },
}"""
    )
