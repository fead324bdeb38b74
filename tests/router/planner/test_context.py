"""Plan snapshots: @context / @fromContext (Federation 2.8).

``U.price(currency:)`` takes ``currency`` from the nearest ``T`` above it (``@context(name:
"ctx")`` in shop); shop only has ``T.currency`` as @external, billing resolves it. Apollo's
planner (``Supergraph.buildForTests``, since @apollo/gateway refuses the context spec) makes
the same plans, up to the order of key fields in the first fetch.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from router.errors import RequestError
from router.executor import QueryEngine
from router.supergraph import load_supergraph
from tests.router.executor.fakes import RecordingFetcher
from tests.router.planner.conftest import FIXTURES, fixture_supergraph

PlanText = Callable[..., str]


def test_a_context_value_is_fetched_on_the_ancestor_and_bound_as_a_variable(
    plan: PlanText,
) -> None:
    assert (
        plan("context", "{ t { u { price } } }")
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "shop") {
      {
        t {
          __typename
          u {
            __typename
            id
          }
          id
        }
      }
    },
    Flatten(path: "t") {
      Fetch(service: "billing") {
        {
          ... on T {
            __typename
            id
          }
        } =>
        {
          ... on T {
            currency
          }
        }
      },
    },
    Flatten(path: "t.u") {
      Fetch(service: "shop") {
        {
          ... on U {
            __typename
            id
          }
        } =>
        {
          ... on U {
            price(currency: $contextualArgument_2_0)
          }
        }
      },
    },
  },
}"""
    )


def test_context_values_of_list_ancestors_are_read_per_item(plan: PlanText) -> None:
    assert (
        plan("context", "{ ts { id us { name price } } }")
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "shop") {
      {
        ts {
          __typename
          id
          us {
            __typename
            name
            id
          }
        }
      }
    },
    Flatten(path: "ts.@") {
      Fetch(service: "billing") {
        {
          ... on T {
            __typename
            id
          }
        } =>
        {
          ... on T {
            currency
          }
        }
      },
    },
    Flatten(path: "ts.@.us.@") {
      Fetch(service: "shop") {
        {
          ... on U {
            __typename
            id
          }
        } =>
        {
          ... on U {
            price(currency: $contextualArgument_2_0)
          }
        }
      },
    },
  },
}"""
    )


def test_the_subgraph_operation_declares_the_contextual_variable() -> None:
    engine = QueryEngine(fixture_supergraph("context"), RecordingFetcher({}))
    plan = engine.prepare("{ t { u { price } } }", None).plan
    assert plan.node is not None
    last = plan.node.nodes[-1]  # type: ignore[union-attr]
    assert last.node.operation == (
        "query($representations:[_Any!]!,$contextualArgument_2_0:String)"
        "{_entities(representations:$representations)"
        "{...on U{price(currency: $contextualArgument_2_0)}}}"
    )
    assert last.targets[0].contexts[0].variable == "contextualArgument_2_0"
    assert last.targets[0].contexts[0].depth == 1  # the object at "t"


def test_a_context_selection_this_router_does_not_support_still_fails_planning() -> None:
    sdl = (FIXTURES / "context.graphql").read_text()
    unsupported = sdl.replace('selection: " { currency }"', 'selection: " ... on T { currency }"')
    assert unsupported != sdl
    engine = QueryEngine(load_supergraph(unsupported), RecordingFetcher({}))
    with pytest.raises(RequestError) as raised:
        engine.prepare("{ t { u { price } } }", None)
    assert raised.value.status_code == 500
    assert raised.value.errors[0]["extensions"]["code"] == "QUERY_PLANNING_FAILED"
    assert "@fromContext" in raised.value.errors[0]["message"]
