"""Plan snapshots: progressive @override (``label: "percent(N)"`` and custom labels).

The fixture overrides ``Product.price`` from catalog to pricing under ``percent(25)`` and
``Product.shippingCost`` (which @requires ``weight`` in pricing) under ``beta-shipping``.
Each plan is the one Apollo's query planner makes with the same override conditions.
"""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]

OPERATION = '{ product(id: "1") { price shippingCost } }'


def test_with_no_active_label_overridden_fields_stay_with_the_original_subgraph(
    plan: PlanText,
) -> None:
    assert (
        plan("override_labels", OPERATION)
        == """\
QueryPlan {
  Fetch(service: "catalog") {
    {
      product(id: "1") {
        price
        shippingCost
      }
    }
  },
}"""
    )


def test_an_active_percent_label_moves_its_field_to_the_overriding_subgraph(
    plan: PlanText,
) -> None:
    assert (
        plan("override_labels", OPERATION, override_labels=frozenset({"percent(25)"}))
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        product(id: "1") {
          __typename
          id
          shippingCost
        }
      }
    },
    Flatten(path: "product") {
      Fetch(service: "pricing") {
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
  },
}"""
    )


def test_an_active_custom_label_moves_a_field_with_requires_and_its_requirements_travel(
    plan: PlanText,
) -> None:
    assert (
        plan("override_labels", OPERATION, override_labels=frozenset({"beta-shipping"}))
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        product(id: "1") {
          __typename
          price
          id
          weight
        }
      }
    },
    Flatten(path: "product") {
      Fetch(service: "pricing") {
        {
          ... on Product {
            __typename
            id
            weight
          }
        } =>
        {
          ... on Product {
            shippingCost
          }
        }
      },
    },
  },
}"""
    )


def test_with_every_label_active_both_fields_come_from_one_entity_fetch(plan: PlanText) -> None:
    assert (
        plan(
            "override_labels",
            OPERATION,
            override_labels=frozenset({"percent(25)", "beta-shipping", "not-in-this-graph"}),
        )
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "catalog") {
      {
        product(id: "1") {
          __typename
          id
          weight
        }
      }
    },
    Flatten(path: "product") {
      Fetch(service: "pricing") {
        {
          ... on Product {
            __typename
            id
            weight
          }
        } =>
        {
          ... on Product {
            price
            shippingCost
          }
        }
      },
    },
  },
}"""
    )


def test_the_printed_plan_is_the_same_every_time_for_one_label_set(plan: PlanText) -> None:
    labels = frozenset({"percent(25)", "beta-shipping"})
    first = plan("override_labels", OPERATION, override_labels=labels)
    assert all(
        plan("override_labels", OPERATION, override_labels=labels) == first for _ in range(5)
    )
