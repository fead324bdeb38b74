"""Plan snapshots: the interface_objects feature graph (`@interfaceObject` in two subgraphs,
`@requires` on interface-object fields, the `__typename` hop to the interface's owner)."""

from __future__ import annotations

from tests.router.planner.conftest import PlanText


def test_typename_from_an_interface_object_hops_to_the_owner(plan: PlanText) -> None:
    operation = """
        {
          topPayers {
            __typename
            id
            balance
          }
        }
    """
    assert (
        plan("features/interface_objects", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "billing") {
      {
        topPayers {
          __typename
          id
          balance
        }
      }
    },
    Flatten(path: "topPayers.@") {
      Fetch(service: "accounts") {
        {
          ... on Account {
            __typename
            id
          }
        } =>
        {
          ... on Account {
            __typename
          }
        }
      },
    },
  },
}"""
    )


def test_interface_object_fields_alone_need_no_typename_hop(plan: PlanText) -> None:
    operation = """
        {
          topPayers {
            id
            balance
            logins {
              device
            }
          }
        }
    """
    assert (
        plan("features/interface_objects", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "billing") {
      {
        topPayers {
          __typename
          id
          balance
        }
      }
    },
    Flatten(path: "topPayers.@") {
      Fetch(service: "activity") {
        {
          ... on Account {
            __typename
            id
          }
        } =>
        {
          ... on Account {
            logins {
              device
            }
          }
        }
      },
    },
  },
}"""
    )


def test_requires_gathers_from_the_owner_and_another_interface_object(plan: PlanText) -> None:
    operation = """
        {
          recentlyActive {
            id
            standing
            greeting
          }
        }
    """
    assert (
        plan("features/interface_objects", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "activity") {
      {
        recentlyActive {
          __typename
          id
        }
      }
    },
    Parallel {
      Flatten(path: "recentlyActive.@") {
        Fetch(service: "billing") {
          {
            ... on Account {
              __typename
              id
            }
          } =>
          {
            ... on Account {
              balance
            }
          }
        },
      },
      Flatten(path: "recentlyActive.@") {
        Fetch(service: "accounts") {
          {
            ... on Account {
              __typename
              id
            }
          } =>
          {
            ... on Account {
              __typename
              name
            }
          }
        },
      },
    },
    Flatten(path: "recentlyActive.@") {
      Fetch(service: "activity") {
        {
          ... on Account {
            __typename
            id
            balance
            name
          }
        } =>
        {
          ... on Account {
            standing
            greeting
          }
        }
      },
    },
  },
}"""
    )


def test_indirect_extension_with_a_type_condition(plan: PlanText) -> None:
    operation = """
        {
          invoices {
            id
            account {
              id
              name
              balance
              ... on User {
                email
              }
            }
          }
        }
    """
    assert (
        plan("features/interface_objects", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "billing") {
      {
        invoices {
          id
          account {
            __typename
            id
            balance
          }
        }
      }
    },
    Flatten(path: "invoices.@.account") {
      Fetch(service: "accounts") {
        {
          ... on Account {
            __typename
            id
          }
        } =>
        {
          ... on Account {
            __typename
            name
            ... on User {
              email
            }
          }
        }
      },
    },
  },
}"""
    )


def test_implementation_list_fetches_interface_object_fields(plan: PlanText) -> None:
    operation = """
        {
          accounts {
            id
            ... on Admin {
              level
              plan {
                name
              }
            }
          }
        }
    """
    assert (
        plan("features/interface_objects", operation)
        == """\
QueryPlan {
  Sequence {
    Fetch(service: "accounts") {
      {
        accounts {
          __typename
          id
          ... on Admin {
            __typename
            level
            id
          }
        }
      }
    },
    Flatten(path: "accounts.@") {
      Fetch(service: "billing") {
        {
          ... on Account {
            __typename
            id
          }
        } =>
        {
          ... on Account {
            plan {
              name
            }
          }
        }
      },
    },
  },
}"""
    )
