"""Plan snapshots: root fetches grouped by subgraph, run in parallel."""

from __future__ import annotations

from collections.abc import Callable

PlanText = Callable[..., str]


def test_root_fields_of_one_subgraph_share_one_fetch(plan: PlanText) -> None:
    operation = """
        {
          me {
            id
            name
          }
          users {
            username
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Fetch(service: "accounts") {
    {
      me {
        id
        name
      }
      users {
        username
      }
    }
  },
}"""
    )


def test_root_fields_of_different_subgraphs_fetch_in_parallel(plan: PlanText) -> None:
    operation = """
        {
          me {
            name
          }
          topProducts {
            name
            price
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Parallel {
    Fetch(service: "accounts") {
      {
        me {
          name
        }
      }
    },
    Fetch(service: "products") {
      {
        topProducts {
          name
          price
        }
      }
    },
  },
}"""
    )


def test_root_field_arguments_and_variables_are_passed_on(plan: PlanText) -> None:
    operation = """
        query Q($id: ID!) {
          user(id: $id) {
            name
          }
          topProducts(first: 3) {
            upc
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Parallel {
    Fetch(service: "accounts") {
      {
        user(id: $id) {
          name
        }
      }
    },
    Fetch(service: "products") {
      {
        topProducts(first: 3) {
          upc
        }
      }
    },
  },
}"""
    )


def test_typename_at_the_root_needs_no_fetch(plan: PlanText) -> None:
    operation = """
        {
          __typename
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
}"""
    )


def test_introspection_needs_no_fetch(plan: PlanText) -> None:
    operation = """
        {
          __schema {
            queryType {
              name
            }
          }
          me {
            id
          }
        }
    """
    assert (
        plan("benchmark", operation)
        == """\
QueryPlan {
  Fetch(service: "accounts") {
    {
      me {
        id
      }
    }
  },
}"""
    )
