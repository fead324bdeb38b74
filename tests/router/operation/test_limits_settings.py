"""``EHB_ROUTER_*`` operation limits and demand control settings."""

from __future__ import annotations

import pytest

from router.config import RouterConfig
from router.operation.limits import OperationLimits


def test_defaults_are_on_except_demand_control() -> None:
    limits = OperationLimits.from_env({})
    assert limits == OperationLimits()
    assert (limits.max_depth, limits.max_aliases, limits.max_root_fields, limits.max_fields) == (
        20,
        30,
        20,
        2_000,
    )
    assert (limits.max_tokens, limits.max_document_bytes) == (15_000, 100_000)
    assert limits.max_cost is None and limits.cost_mode == "enforce"


def test_every_variable_is_read() -> None:
    limits = OperationLimits.from_env(
        {
            "EHB_ROUTER_MAX_DOCUMENT_BYTES": "5000",
            "EHB_ROUTER_MAX_TOKENS": "800",
            "EHB_ROUTER_MAX_DEPTH": "7",
            "EHB_ROUTER_MAX_ALIASES": "3",
            "EHB_ROUTER_MAX_ROOT_FIELDS": "4",
            "EHB_ROUTER_MAX_FIELDS": "90",
            "EHB_ROUTER_MAX_COST": "1000",
            "EHB_ROUTER_COST_MODE": "Measure",
            "EHB_ROUTER_COST_LIST_SIZE": "25",
        }
    )
    assert limits == OperationLimits(
        max_document_bytes=5000,
        max_tokens=800,
        max_depth=7,
        max_aliases=3,
        max_root_fields=4,
        max_fields=90,
        max_cost=1000,
        cost_mode="measure",
        default_list_size=25,
    )


def test_zero_switches_a_limit_off() -> None:
    limits = OperationLimits.from_env({"EHB_ROUTER_MAX_DEPTH": "0", "EHB_ROUTER_MAX_TOKENS": "0"})
    assert limits.max_depth is None and limits.max_tokens is None


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("MAX_DEPTH", "deep", "must be a whole number"),
        ("MAX_FIELDS", "-1", "must not be negative"),
        ("COST_MODE", "reject", "must be enforce or measure"),
    ],
)
def test_malformed_values_name_their_variable(name: str, value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"EHB_ROUTER_{name} {problem}"):
        OperationLimits.from_env({f"EHB_ROUTER_{name}": value})


def test_the_router_config_carries_them() -> None:
    config = RouterConfig.from_env({"EHB_ROUTER_MAX_ALIASES": "5"})
    assert config.operation_limits.max_aliases == 5
    assert RouterConfig().operation_limits == OperationLimits()
