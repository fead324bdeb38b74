"""Plan snapshots: fields whose type differs per subgraph (``@join__field(type:)``).

tests/fixtures/features/field_types: zoo declares ``Dog.name: String!`` and ``Cat.name: String``
(vet the opposite; ``weight`` likewise) and ``Query.bestFriend: Animal`` where vet declares it
``Dog``. Apollo's planner (tools/node/apollo-plan.mjs) makes the same root fetches, aliases the
same fields, and fetches the two entity types of the shelter graph from vet in two fetches where
ours merges them into one (where the same aliases are needed).
"""

from __future__ import annotations

from functools import cache

from router.operation.document import load_operation
from router.planner import FetchNode, FlattenNode, QueryPlan, QueryPlanner, SequenceNode, print_plan
from router.planner.aliases import Rename
from router.supergraph import Supergraph, load_supergraph
from tests.router.planner.conftest import REPO_ROOT

FEATURE = REPO_ROOT / "tests" / "fixtures" / "features" / "field_types" / "supergraph.graphql"


@cache
def _supergraph() -> Supergraph:
    return load_supergraph(FEATURE.read_text())


def _plan(document: str) -> QueryPlan:
    operation = load_operation(_supergraph().api_schema, document, None)
    return QueryPlanner(_supergraph()).plan(operation).query_plan()


def test_fields_one_subgraph_cannot_merge_are_aliased_in_a_root_fetch() -> None:
    plan = _plan("{ animals { ... on Dog { name weight } ... on Cat { name weight } } }")
    assert (
        print_plan(plan)
        == """\
QueryPlan {
  Fetch(service: "zoo") {
    {
      animals {
        __typename
        ... on Dog {
          name
          weight
        }
        ... on Cat {
          name__alias_0: name
          weight__alias_0: weight
        }
      }
    }
  },
}"""
    )
    assert isinstance(plan.node, FetchNode)
    assert plan.node.operation == (
        "query{animals{__typename ...on Dog{name weight} "
        "...on Cat{name__alias_0: name weight__alias_0: weight}}}"
    )
    assert plan.node.renames == {
        "animals": Rename(
            None,
            {"name__alias_0": Rename("name", None), "weight__alias_0": Rename("weight", None)},
        )
    }


def test_fields_one_subgraph_cannot_merge_are_aliased_in_an_entity_fetch() -> None:
    plan = _plan("{ adoptions { dog { name weight } cat { name weight } } }")
    assert (
        print_plan(plan)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "shelter") {
      {
        adoptions {
          dog {
            __typename
            id
          }
          cat {
            __typename
            id
          }
        }
      }
    },
    Flatten(paths: ["adoptions.@.dog", "adoptions.@.cat"]) {
      Fetch(service: "vet") {
        {
          ... on Dog {
            __typename
            id
          }
          ... on Cat {
            __typename
            id
          }
        } =>
        {
          ... on Dog {
            name
            weight
          }
          ... on Cat {
            name__alias_0: name
            weight__alias_0: weight
          }
        }
      },
    },
  },
}"""
    )
    assert isinstance(plan.node, SequenceNode)
    flatten = plan.node.nodes[1]
    assert isinstance(flatten, FlattenNode)
    assert flatten.node.renames == {
        "name__alias_0": Rename("name", None),
        "weight__alias_0": Rename("weight", None),
    }


def test_fields_of_the_same_shape_in_the_subgraph_are_not_aliased() -> None:
    plan = _plan("{ animals { ... on Dog { bark name } ... on Cat { meow } } }")
    assert isinstance(plan.node, FetchNode)
    assert plan.node.renames is None
    assert "alias" not in plan.node.operation


def test_a_root_field_is_planned_for_the_type_the_subgraph_declares() -> None:
    # vet answers bestFriend as a Dog: "... on Cat" cannot apply there, and vet resolves
    # everything else, so one fetch from vet (zoo would need a second fetch for age).
    assert (
        print_plan(_plan("{ bestFriend { name ... on Dog { age } ... on Cat { lives } } }"))
        == """\
QueryPlan {
  Fetch(service: "vet") {
    {
      bestFriend {
        __typename
        name
        age
      }
    }
  },
}"""
    )


def test_the_interface_subgraph_still_serves_fields_only_it_resolves() -> None:
    assert (
        print_plan(_plan("{ bestFriend { __typename name ... on Dog { bark } } }"))
        == """\
QueryPlan {
  Fetch(service: "zoo") {
    {
      bestFriend {
        __typename
        name
        ... on Dog {
          bark
        }
      }
    }
  },
}"""
    )
