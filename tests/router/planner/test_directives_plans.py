"""Plan snapshots: the directives feature graph (tests/fixtures/features/directives).

Product is keyed by `internalId` in inventory, an @inaccessible field of the API; inventory's
`shippingCents` requires `weightGrams`, @inaccessible too. Both are fetched and sent as
representations although no client can select them. `@cost`/`@listSize`/`@tag`/`@lowercase`
change no plan.
"""

from __future__ import annotations

from tests.router.planner.conftest import PlanText


def test_a_requires_field_fetches_its_inaccessible_requirement_and_key(plan: PlanText) -> None:
    operation = """
        {
          products {
            id
            name
            shippingCents
          }
        }
    """
    assert (
        plan("features/directives", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        products {
          __typename
          id
          name
          internalId
          weightGrams
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            internalId
            weightGrams
          }
        } =>
        {
          ... on Product {
            shippingCents
          }
        }
      },
    },
  },
}"""
    )


def test_entities_of_a_list_return_to_catalog_through_the_inaccessible_key(plan: PlanText) -> None:
    operation = """
        {
          warehouses(order: DESC) {
            name
            products {
              name
              shippingCents
              stock
            }
          }
        }
    """
    assert (
        plan("features/directives", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "inventory") {
      {
        warehouses(order: DESC) {
          name
          products {
            __typename
            internalId
            stock
          }
        }
      }
    },
    Flatten(path: "warehouses.@.products.@") {
      Fetch(service: "catalog") {
        {
          ... on Product {
            __typename
            internalId
          }
        } =>
        {
          ... on Product {
            name
            weightGrams
          }
        }
      },
    },
    Flatten(path: "warehouses.@.products.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            internalId
            weightGrams
          }
        } =>
        {
          ... on Product {
            shippingCents
          }
        }
      },
    },
  },
}"""
    )


def test_input_object_and_enum_variables_are_forwarded_unchanged(plan: PlanText) -> None:
    operation = """
        query Filtered($range: Range, $order: SortOrder!) {
          products(price: $range, order: $order, first: 2) {
            stock
          }
        }
    """
    assert (
        plan("features/directives", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        products(price: $range, order: $order, first: 2) {
          __typename
          internalId
        }
      }
    },
    Flatten(path: "products.@") {
      Fetch(service: "inventory") {
        {
          ... on Product {
            __typename
            internalId
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


def test_fields_of_the_owner_need_no_entity_fetch(plan: PlanText) -> None:
    operation = """
        {
          product(id: "p1") {
            id
            name
            category
          }
        }
    """
    assert (
        plan("features/directives", operation)
        == """\
QueryPlan {
  Fetch(service: "catalog") {
    {
      product(id: "p1") {
        id
        name
        category
      }
    }
  },
}"""
    )
