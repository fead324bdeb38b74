"""Which targets of an entity fetch may take the whole answer (merged without a per-selection
copy): only those whose entities no other target selects anything else on."""

from __future__ import annotations

from router.operation.document import load_operation
from router.planner import QueryPlanner
from router.planner.nodes import FlattenNode, ParallelNode, PlanNode, SequenceNode
from tests.router.planner.conftest import fixture_supergraph


def _flattens(document: str) -> dict[str, list[tuple[str, bool]]]:
    """Per subgraph of each entity fetch: (path, takes_whole_answer) of its targets."""
    supergraph = fixture_supergraph("benchmark")
    operation = load_operation(supergraph.api_schema, document, None)
    found: dict[str, list[tuple[str, bool]]] = {}

    def walk(node: PlanNode | None) -> None:
        if isinstance(node, FlattenNode):
            found.setdefault(node.node.service, []).extend(
                (".".join(target.path), target.takes_whole_answer) for target in node.targets
            )
        elif isinstance(node, SequenceNode | ParallelNode):
            for child in node.nodes:
                walk(child)

    walk(QueryPlanner(supergraph).plan(operation).query_plan().node)
    return found


def test_each_target_takes_the_whole_answer_unless_another_selects_differently_on_its_type() -> (
    None
):
    found = _flattens(
        """{
          users { reviews { product { name } } }
          topProducts { reviews { author { username } } }
          top: topProducts(first: 2) { reviews { author { reviews { product { name } } } } }
        }"""
    )
    # Users: only one target. Products: two targets selecting different reviews fields.
    assert found["reviews"] == [("users.@", True), ("topProducts.@", False), ("top.@", False)]
    assert found["products"] == [
        ("users.@.reviews.@.product", True),
        ("top.@.reviews.@.author.reviews.@.product", True),
    ]


def test_targets_of_one_type_selecting_differently_take_only_their_own_selection() -> None:
    found = _flattens(
        """{
          users { reviews { product { name } } }
          topProducts { reviews { author { reviews { product { price } } } } }
        }"""
    )
    assert found["products"] == [
        ("users.@.reviews.@.product", False),
        ("topProducts.@.reviews.@.author.reviews.@.product", False),
    ]


def test_a_single_target_takes_the_whole_answer() -> None:
    found = _flattens("{ users { reviews { body } } }")
    assert found["reviews"] == [("users.@", True)]
