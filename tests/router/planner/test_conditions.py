"""Plan snapshots: @skip/@include variables shown as Apollo shows them.

The router plans and runs one variant per combination of condition values; the printed plan
merges them: a fetch only some variants make sits under ``Include(if: $v)``/``Skip(if: $v)``
(consecutive waves under the same condition share one node), selections only some variants
make carry ``@include``/``@skip``. Apollo's planner (tools/node/apollo-plan.mjs) prints the
same trees for these operations up to the order of fields and parallel branches, except where
noted.
"""

from __future__ import annotations

from itertools import product

import pytest
from graphql import build_schema

from router.errors import QueryPlanningError, RequestError
from router.operation.document import load_operation
from router.planner import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    QueryPlanner,
    SequenceNode,
    print_plan,
)
from router.planner.conditions import merge_variants
from router.planner.selection import SubFragment, SubSelection, print_compact
from router.supergraph import load_supergraph
from tests.fixtures.differential.operations import generate_operations
from tests.router.planner.conftest import REPO_ROOT, PlanText, fixture_supergraph


def test_conditions_nest_where_they_apply(plan: PlanText) -> None:
    operation = """
        query Q($x: Boolean!, $y: Boolean!) {
          me {
            name
            reviews @include(if: $x) {
              body
              product { name inStock @skip(if: $y) }
            }
          }
        }
    """
    # Apollo selects the key of `me` unconditionally and lists the parallel fetches the other
    # way round; otherwise the same tree.
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        me {
          ... @include(if: $x) {
            __typename
            id
          }
          name
        }
      }
    },
    Include(if: $x) {
      Sequence {
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
                  product {
                    __typename
                    upc
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
          Skip(if: $y) {
            Flatten(path: "me.reviews.@.product") {
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
            }
          },
        },
      }
    },
  },
}"""
    )


def test_conditional_fields_of_an_unconditional_fetch_keep_their_directives(
    plan: PlanText,
) -> None:
    operation = """
        query Q($x: Boolean!, $y: Boolean!) {
          me { name reviews { body @include(if: $x) product { upc name @skip(if: $y) } } }
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
          name
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
              body @include(if: $x)
              product {
                upc
                __typename @skip(if: $y)
              }
            }
          }
        }
      },
    },
    Skip(if: $y) {
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
      }
    },
  },
}"""
    )


def test_the_shown_fetch_declares_the_condition_variables_it_uses() -> None:
    supergraph = fixture_supergraph("benchmark")
    operation = load_operation(
        supergraph.api_schema,
        "query Q($x: Boolean!) { me { reviews { body @include(if: $x) id } } }",
        None,
    )
    shown = QueryPlanner(supergraph).plan(operation).query_plan()
    assert isinstance(shown.node, SequenceNode)
    flatten = shown.node.nodes[1]
    assert isinstance(flatten, FlattenNode)
    assert flatten.node.variable_usages == ("x",)
    assert flatten.node.operation == (
        "query Q__reviews__1($representations:[_Any!]!,$x:Boolean!)"
        "{_entities(representations:$representations)"
        "{...on User{reviews{body @include(if: $x) id}}}}"
    )


def test_a_mutation_field_under_include_splits_the_batch_only_when_included(
    plan: PlanText,
) -> None:
    # Without $x, createUser and renameUser share one request to accounts; with it,
    # addReview (reviews) runs between them. Apollo never batches the two.
    operation = """
        mutation M($x: Boolean!) {
          a: createUser(name: "a") { id }
          b: addReview(body: "x", authorId: "1") @include(if: $x) { id }
          c: renameUser(id: "1", name: "n") { id }
        }
    """
    assert (
        plan("mutations", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        a: createUser(name: "a") {
          id
        }
        c: renameUser(id: "1", name: "n") @skip(if: $x) {
          id
        }
      }
    },
    Include(if: $x) {
      Sequence {
        Fetch(service: "reviews") {
          {
            b: addReview(body: "x", authorId: "1") {
              id
            }
          }
        },
        Fetch(service: "accounts") {
          {
            c: renameUser(id: "1", name: "n") {
              id
            }
          }
        },
      }
    },
  },
}"""
    )


def test_alternative_subgraphs_per_value_show_as_then_and_else() -> None:
    # tests/fixtures/features/shareable: the shareable root field comes from the subgraph that
    # resolves the included fields (Apollo instead fetches from both subgraphs every time).
    supergraph = load_supergraph(
        (
            REPO_ROOT / "tests" / "fixtures" / "features" / "shareable" / "supergraph.graphql"
        ).read_text()
    )
    operation = load_operation(
        supergraph.api_schema,
        """
        query Q($x: Boolean!) {
          products { name stock @include(if: $x) price @skip(if: $x) { amount } }
        }
        """,
        None,
    )
    assert (
        print_plan(QueryPlanner(supergraph).plan(operation).query_plan())
        == """\
QueryPlan {
  Condition(if: $x) {
    Then {
      Fetch(service: "inventory") {
        {
          products {
            name
            stock
          }
        }
      }
    } Else {
      Fetch(service: "catalog") {
        {
          products {
            name
            price {
              amount
            }
          }
        }
      }
    }
  },
}"""
    )


def _fetch(service: str) -> FetchNode:
    return FetchNode(service, "{x}", None, "query", (), SubSelection())


def test_variants_ordering_fetches_differently_are_shown_as_branches() -> None:
    first, second = _fetch("a"), _fetch("b")
    variants = {
        (True,): SequenceNode((first, second)),
        (False,): SequenceNode((second, first)),
    }
    assert merge_variants(("x",), variants.__getitem__) == ConditionNode(
        "x", variants[(True,)], variants[(False,)]
    )


def test_a_fetch_made_when_either_variable_holds_is_shown_under_both() -> None:
    only = _fetch("a")
    variants = {
        (True, True): only,
        (True, False): only,
        (False, True): only,
        (False, False): None,
    }
    shown = merge_variants(("x", "y"), variants.__getitem__)
    assert shown == ConditionNode("x", only, ConditionNode("y", only, None))
    assert print_plan(QueryPlan(shown)).splitlines()[1:4] == [
        "  Condition(if: $x) {",
        "    Then {",
        '      Fetch(service: "a") {',
    ]


# -- the shown plan, read for one set of values, is the plan that runs for them ---------------


def _specialised(selection: SubSelection, values: dict[str, bool]) -> tuple[object, ...]:
    """The selection for these values, order aside: conditions evaluated and dropped."""
    found: list[tuple[object, ...]] = []
    for item in selection.items.values():
        if not all(values[name] is value for name, value in item.conditions):
            continue
        if isinstance(item, SubFragment):
            inner = _specialised(item.selection, values)
            if item.type_condition:
                found.append(("on", item.type_condition, inner))
            else:
                found.extend(inner)  # type: ignore[arg-type]
        else:
            children = None if item.selection is None else _specialised(item.selection, values)
            found.append((item.key, item.name, children))
    return tuple(sorted(set(found), key=repr))


def _fetches(node: PlanNode | None, values: dict[str, bool]) -> list[tuple[object, ...]]:
    if node is None:
        return []
    if isinstance(node, ConditionNode):
        return _fetches(node.if_clause if values[node.condition] else node.else_clause, values)
    if isinstance(node, SequenceNode | ParallelNode):
        return [fetch for child in node.nodes for fetch in _fetches(child, values)]
    fetch = node.node if isinstance(node, FlattenNode) else node
    paths = node.paths if isinstance(node, FlattenNode) else ()
    requires = print_compact(fetch.requires) if fetch.requires is not None else ""
    return [(fetch.service, paths, requires, _specialised(fetch.selection, values))]


@pytest.mark.parametrize("graph", ["abstract", "keys", "requires", "shareable"])
def test_the_shown_plan_makes_each_variants_fetches(graph: str) -> None:
    directory = REPO_ROOT / "tests" / "fixtures" / "features" / graph
    supergraph = load_supergraph((directory / "supergraph.graphql").read_text())
    planner = QueryPlanner(supergraph)
    api_schema = build_schema((directory / "api.graphql").read_text())
    checked = 0
    for generated in generate_operations(api_schema, seed=20261128, count=120):
        try:
            plan = planner.plan(load_operation(supergraph.api_schema, generated.query, None))
        except (RequestError, QueryPlanningError):
            continue
        if not plan.condition_variables:
            continue
        shown = plan.query_plan().node
        for values in product((True, False), repeat=len(plan.condition_variables)):
            named = dict(zip(plan.condition_variables, values, strict=True))
            expected = _fetches(plan.variant(values).node, named)
            assert sorted(_fetches(shown, named), key=repr) == sorted(expected, key=repr), (
                generated.query,
                named,
            )
        checked += 1
    assert checked > 20
