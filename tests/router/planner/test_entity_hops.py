"""Plan snapshots: entity hops of any depth, one fetch per subgraph per wave."""

# ruff: noqa: E501  (plan snapshots hold long response paths)

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_entity_hop_fetches_fields_of_another_subgraph(plan: PlanText) -> None:
    operation = """
        {
          users {
            name
            reviews {
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
        users {
          __typename
          name
          id
        }
      }
    },
    Flatten(path: "users.@") {
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
    },
  },
}"""
    )


def test_nested_entity_hops_alternate_subgraphs(plan: PlanText) -> None:
    operation = """
        {
          me {
            reviews {
              product {
                name
                reviews {
                  author {
                    name
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
                reviews {
                  author {
                    __typename
                    id
                  }
                }
              }
            }
          }
        }
      },
    },
    Parallel {
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
              name
            }
          }
        },
      },
      Flatten(path: "me.reviews.@.product.reviews.@.author") {
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
  },
}"""
    )


def test_benchmark_query_fetches_each_subgraph_once_per_wave(plan: PlanText) -> None:
    operation = """
        query TestQuery {
          users {
            ...User
            reviews {
              ...Review
              product {
                ...Product
                reviews {
                  ...Review
                  author {
                    ...User
                    reviews {
                      ...Review
                      product {
                        ...Product
                      }
                    }
                  }
                }
              }
            }
          }
          topProducts {
            ...Product
            reviews {
              ...Review
              author {
                ...User
                reviews {
                  ...Review
                  product {
                    ...Product
                  }
                }
              }
            }
          }
        }

        fragment User on User {
          id
          username
          name
        }

        fragment Review on Review {
          id
          body
        }

        fragment Product on Product {
          inStock
          name
          price
          shippingEstimate
          upc
          weight
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Sequence {
    Parallel {
      Fetch(service: "accounts") {
        {
          users {
            __typename
            id
            username
            name
          }
        }
      },
      Fetch(service: "products") {
        {
          topProducts {
            __typename
            upc
            name
            price
            weight
          }
        }
      },
    },
    Parallel {
      Flatten(paths: ["users.@", "topProducts.@"]) {
        Fetch(service: "reviews") {
          {
            ... on User {
              __typename
              id
            }
            ... on Product {
              __typename
              upc
            }
          } =>
          {
            ... on User {
              reviews {
                id
                body
                product {
                  __typename
                  upc
                  reviews {
                    id
                    body
                    author {
                      __typename
                      id
                      username
                      reviews {
                        id
                        body
                        product {
                          __typename
                          upc
                        }
                      }
                    }
                  }
                }
              }
            }
            ... on Product {
              reviews {
                id
                body
                author {
                  __typename
                  id
                  username
                  reviews {
                    id
                    body
                    product {
                      __typename
                      upc
                    }
                  }
                }
              }
            }
          }
        },
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
              inStock
              shippingEstimate
            }
          }
        },
      },
    },
    Parallel {
      Flatten(paths: ["users.@.reviews.@.product", "users.@.reviews.@.product.reviews.@.author.reviews.@.product", "topProducts.@.reviews.@.author.reviews.@.product"]) {
        Fetch(service: "products") {
          {
            ... on Product {
              __typename
              upc
            }
          } =>
          {
            ... on Product {
              name
              price
              weight
            }
          }
        },
      },
      Flatten(paths: ["users.@.reviews.@.product.reviews.@.author", "topProducts.@.reviews.@.author"]) {
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
    Flatten(paths: ["users.@.reviews.@.product", "users.@.reviews.@.product.reviews.@.author.reviews.@.product", "topProducts.@.reviews.@.author.reviews.@.product"]) {
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
            inStock
            shippingEstimate
          }
        }
      },
    },
  },
}"""
    )
