"""``ehb plan`` prints the plan the router runs, progressive @override labels included.

tests/router/fixtures/override_labels.graphql overrides ``Product.price`` from catalog to
pricing under ``percent(25)`` and ``Product.shippingCost`` under ``beta-shipping``: the router
runs pricing's plan for a custom label listed in ``EHB_ROUTER_OVERRIDE_LABELS`` (and for a
percent label in the requests that draw it), so does ``ehb plan --override-label``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from router.cli import main
from router.executor import QueryEngine
from router.planner import print_plan
from tests.router.executor.fakes import RecordingFetcher
from tests.router.planner.conftest import FIXTURES, fixture_supergraph

OPERATION = '{ product(id: "1") { price shippingCost } }'


def _ehb_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str], *labels: str) -> str:
    operation = tmp_path / "operation.graphql"
    operation.write_text(OPERATION)
    arguments = ["plan", "--supergraph", str(FIXTURES / "override_labels.graphql")]
    for label in labels:
        arguments += ["--override-label", label]
    assert main([*arguments, str(operation)]) == 0
    return capsys.readouterr().out.rstrip("\n")


def _router_plan(configured: frozenset[str], drawn: frozenset[str] | None = None) -> str:
    """What the router runs with ``configured`` as EHB_ROUTER_OVERRIDE_LABELS."""
    engine = QueryEngine(
        fixture_supergraph("override_labels"), RecordingFetcher({}), override_labels=configured
    )
    labels = None if drawn is None else drawn | configured
    return print_plan(engine.prepare(OPERATION, None, override_labels=labels).plan)


def test_without_labels_the_plan_keeps_the_overridden_subgraph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _ehb_plan(tmp_path, capsys)
    assert printed == _router_plan(frozenset(), frozenset())
    assert 'service: "pricing"' not in printed


def test_a_custom_label_plans_as_the_router_configured_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _ehb_plan(tmp_path, capsys, "beta-shipping")
    assert printed == _router_plan(frozenset({"beta-shipping"}), frozenset())
    # Apollo's planner with the same override condition: the same plan up to field order.
    assert (
        printed
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


def test_labels_repeat_and_a_percent_label_plans_as_a_request_that_drew_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = _ehb_plan(tmp_path, capsys, "beta-shipping", "percent(25)")
    assert printed == _router_plan(frozenset({"beta-shipping"}), frozenset({"percent(25)"}))
    catalog_fetch = printed.split("Flatten")[0]
    assert 'service: "catalog"' in catalog_fetch and "price" not in catalog_fetch


def test_a_label_the_supergraph_does_not_use_is_reported_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = tmp_path / "operation.graphql"
    operation.write_text(OPERATION)
    arguments = ["plan", "--supergraph", str(FIXTURES / "override_labels.graphql")]
    assert main([*arguments, "--override-label", "nope", str(operation)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "ehb plan: the supergraph has no override label 'nope'\n"
    assert captured.out.rstrip("\n") == _router_plan(frozenset(), frozenset())


def test_an_operation_that_cannot_be_planned_is_an_error_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = tmp_path / "operation.graphql"
    operation.write_text("query Q($unused: Boolean) { product(id: 1) { price } }")
    arguments = ["plan", "--supergraph", str(FIXTURES / "override_labels.graphql")]
    assert main([*arguments, str(operation)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "ehb plan: Variable '$unused' is never used in operation 'Q'.\n"
