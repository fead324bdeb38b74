"""Plan snapshots: @context / @fromContext (Federation 2.8).

``U.price(currency:)`` takes ``currency`` from the nearest ``T`` above it (``@context(name:
"ctx")`` in shop); shop only has ``T.currency`` as @external, billing resolves it. Apollo's
planner (``Supergraph.buildForTests``, since @apollo/gateway refuses the context spec) makes
the same plans, up to the order of key fields in the first fetch.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from router.executor import QueryEngine
from router.operation.document import load_operation
from router.planner import FlattenNode, QueryPlan, QueryPlanner, SequenceNode, print_plan
from router.planner.selection import print_pretty
from router.supergraph import Supergraph, load_supergraph
from tests.router.executor.fakes import RecordingFetcher
from tests.router.planner.conftest import FIXTURES, REPO_ROOT, fixture_supergraph

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


def test_a_type_conditioned_selection_on_an_object_context_plans_like_a_plain_field() -> None:
    sdl = (FIXTURES / "context.graphql").read_text()
    conditioned = sdl.replace('selection: " { currency }"', 'selection: " ... on T { currency }"')
    assert conditioned != sdl
    supergraph = load_supergraph(conditioned)
    operation = load_operation(supergraph.api_schema, "{ t { u { price } } }", None)
    plain = fixture_supergraph("context")
    expected = load_operation(plain.api_schema, "{ t { u { price } } }", None)
    assert print_plan(QueryPlanner(supergraph).plan(operation).query_plan()) == print_plan(
        QueryPlanner(plain).plan(expected).query_plan()
    )


# -- the feature graph: a second context on an interface, read with type conditions ------------
# tests/fixtures/features/context: Market @context(name: "market") is implemented by T (shop,
# also @context(name: "ctx")) and Stall; U.tax and V.tax take
# "$market ... on T { taxRate } ... on Stall { levy }", T.taxRate coming from billing. Apollo's
# planner (tools/node/apollo-plan.mjs) makes the same fetches, up to the order of fields and
# its separate billing fetch per path where ours serves both paths at once.

FEATURE = REPO_ROOT / "tests" / "fixtures" / "features" / "context" / "supergraph.graphql"


@cache
def _feature_supergraph() -> Supergraph:
    return load_supergraph(FEATURE.read_text())


def _feature_plan(document: str) -> QueryPlan:
    supergraph = _feature_supergraph()
    operation = load_operation(supergraph.api_schema, document, None)
    return QueryPlanner(supergraph).plan(operation).query_plan()


def test_a_context_on_an_interface_is_read_per_type_where_the_interface_is_selected() -> None:
    assert (
        print_plan(_feature_plan("{ markets { id vs { label tax } } }"))
        == """QueryPlan {
  Sequence {
    Fetch(service: "shop") {
      {
        markets {
          __typename
          id
          vs {
            __typename
            label
            id
          }
          ... on T {
            __typename
            id
          }
          ... on Stall {
            levy
          }
        }
      }
    },
    Flatten(path: "markets.@") {
      Fetch(service: "billing") {
        {
          ... on T {
            __typename
            id
          }
        } =>
        {
          ... on T {
            taxRate
          }
        }
      },
    },
    Flatten(path: "markets.@.vs.@") {
      Fetch(service: "shop") {
        {
          ... on V {
            __typename
            id
          }
        } =>
        {
          ... on V {
            tax(rate: $contextualArgument_2_2)
          }
        }
      },
    },
  },
}"""
    )


def test_an_implementation_sets_its_interfaces_context_under_a_type_condition() -> None:
    assert (
        print_plan(_feature_plan("{ markets { ... on Stall { vs { tax } } } }"))
        == """QueryPlan {
  Sequence {
    Fetch(service: "shop") {
      {
        markets {
          __typename
          ... on Stall {
            __typename
            vs {
              __typename
              id
            }
            levy
          }
        }
      }
    },
    Flatten(path: "markets.@.vs.@") {
      Fetch(service: "shop") {
        {
          ... on V {
            __typename
            id
          }
        } =>
        {
          ... on V {
            tax(rate: $contextualArgument_2_2)
          }
        }
      },
    },
  },
}"""
    )


def test_two_contexts_of_one_entity_travel_as_variables_numbered_by_argument_coordinate() -> None:
    # U declares tax before price; Apollo numbers a subgraph's contextual arguments in the
    # order of their sorted coordinates: U.price(currency:) _0, U.tax(rate:) _1, V.tax(rate:) _2.
    assert (
        print_plan(_feature_plan("{ ts { us { tax price } } }"))
        == """QueryPlan {
  Sequence {
    Fetch(service: "shop") {
      {
        ts {
          __typename
          us {
            __typename
            id
          }
          id
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
            taxRate
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
            tax(rate: $contextualArgument_2_1)
            price(currency: $contextualArgument_2_0)
          }
        }
      },
    },
  },
}"""
    )


def test_one_argument_reached_through_several_ancestor_types_reads_every_branch() -> None:
    plan = _feature_plan("{ markets { vs { tax } ... on T { vs { label tax } } } }")
    assert isinstance(plan.node, SequenceNode)
    last = plan.node.nodes[-1]
    assert isinstance(last, FlattenNode)
    [rewrite] = last.targets[0].contexts
    assert rewrite.variable == "contextualArgument_2_2"
    assert rewrite.depth == 2  # the market at "markets.@"
    assert print_pretty(rewrite.selection, "") == [
        "{",
        "  ... on Stall {",
        "    levy",
        "  }",
        "  ... on T {",
        "    taxRate",
        "  }",
        "}",
    ]


def test_a_fetch_with_context_arguments_renders_one_aliased_entities_field_per_value_set() -> None:
    plan = _feature_plan("{ ts { us { tax price } } }")
    assert isinstance(plan.node, SequenceNode)
    last = plan.node.nodes[-1]
    assert isinstance(last, FlattenNode) and last.context_batches is not None
    assert last.context_batches.operation(2) == (
        "query($representations_0:[_Any!]!,$contextualArgument_2_1_0:Int,"
        "$contextualArgument_2_0_0:String,"
        "$representations_1:[_Any!]!,$contextualArgument_2_1_1:Int,"
        "$contextualArgument_2_0_1:String)"
        "{_0:_entities(representations:$representations_0){...on U{"
        "tax(rate: $contextualArgument_2_1_0) price(currency: $contextualArgument_2_0_0)}} "
        "_1:_entities(representations:$representations_1){...on U{"
        "tax(rate: $contextualArgument_2_1_1) price(currency: $contextualArgument_2_0_1)}}}"
    )
    assert last.context_batches.operation(2) is last.context_batches.operation(2)  # kept


def test_a_context_on_a_union_is_set_by_its_members(plan: PlanText) -> None:
    # tests/router/fixtures/subgraphs/context_union: union Place @context(name: "place") =
    # Farm | Mill; W.label(by:) takes "$place ... on Farm { owner } ... on Mill { miller }".
    # Apollo's planner makes the same fetches (its two parallel ones in the other order).
    assert (
        plan(
            "context_union",
            "{ places { ... on Farm { crops { label weight } } ... on Mill { crops { label } } } }",
        )
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "farms") {
      {
        places {
          __typename
          ... on Farm {
            __typename
            crops {
              __typename
              id
            }
            owner
          }
          ... on Mill {
            __typename
            crops {
              __typename
              id
            }
            miller
          }
        }
      }
    },
    Parallel {
      Flatten(path: "places.@.crops.@") {
        Fetch(service: "farms") {
          {
            ... on W {
              __typename
              id
            }
          } =>
          {
            ... on W {
              label(by: $contextualArgument_1_0)
            }
          }
        },
      },
      Flatten(path: "places.@.crops.@") {
        Fetch(service: "scales") {
          {
            ... on W {
              __typename
              id
            }
          } =>
          {
            ... on W {
              weight
            }
          }
        },
      },
    },
  },
}"""
    )


def test_one_argument_read_from_ancestors_at_two_depths_keeps_both_deepest_first() -> None:
    # tests/router/fixtures/subgraphs/context_nested: Shop and Counter (a Thing) set "ctx";
    # Shelf (the other Thing) does not. Items reached through "... on Counter" read the
    # Counter's currency, the others their Shop's: one fetch (as Apollo's), two rewrites.
    supergraph = fixture_supergraph("context_nested")
    operation = load_operation(
        supergraph.api_schema,
        "{ shops { things { items { price } ... on Counter { items { id price } } } } }",
        None,
    )
    plan = QueryPlanner(supergraph).plan(operation).query_plan()
    assert isinstance(plan.node, SequenceNode)
    flatten = plan.node.nodes[-1]
    assert isinstance(flatten, FlattenNode)
    assert [(r.variable, r.depth) for r in flatten.targets[0].contexts] == [
        ("contextualArgument_1_0", 4),
        ("contextualArgument_1_0", 2),
    ]
    assert [print_pretty(r.selection, "") for r in flatten.targets[0].contexts] == [
        ["{", "  ... on Counter {", "    currency", "  }", "}"],
        ["{", "  ... on Shop {", "    currency", "  }", "}"],
    ]
