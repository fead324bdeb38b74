"""Demand control at execution: the estimated cost of an operation for the variables of each
execution, against the maximum; refused (``enforce``) or only logged (``measure``).

Each operation remembers its verdicts for its latest distinct variable values, so repeated
executions pay a dictionary lookup.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from router.errors import RequestError
from router.operation.cost import CostEstimator, SlicingArgumentError
from router.operation.document import ClientOperation

logger = logging.getLogger(__name__)

COST_ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"
COST_QUERY_PARSE_FAILURE = "COST_QUERY_PARSE_FAILURE"  # Apollo Router's code for slicing misuse
_VERDICTS_KEPT = 32
_LARGEST_REMEMBERED_VARIABLES = 1_000  # characters of JSON


class OperationDemand:
    """The estimated cost of one operation, checked against the maximum for each execution."""

    def __init__(
        self, estimator: CostEstimator, operation: ClientOperation, max_cost: int, *, enforce: bool
    ) -> None:
        self._estimator = estimator
        self._operation = operation
        self._max_cost = max_cost
        self._enforce = enforce
        self._verdicts: OrderedDict[str, int | str] = OrderedDict()

    def check(self, variables: Mapping[str, Any]) -> int | None:
        """The estimated cost (None when it cannot be estimated, in measure mode); raises
        ``RequestError`` in enforce mode when it is too high or cannot be estimated. In measure
        mode each such verdict is logged when it is reached, not again while remembered."""
        key = _verdict_key(variables)
        verdict = None if key is None else self._verdicts.get(key)
        fresh = verdict is None
        if verdict is None:
            verdict = self._verdict(variables)
            if key is not None:
                self._verdicts[key] = verdict
                if len(self._verdicts) > _VERDICTS_KEPT:
                    self._verdicts.popitem(last=False)
        if isinstance(verdict, int) and verdict <= self._max_cost:
            return verdict
        error = (
            _too_expensive(verdict, self._max_cost)
            if isinstance(verdict, int)
            else RequestError(
                [{"message": verdict, "extensions": {"code": COST_QUERY_PARSE_FAILURE}}]
            )
        )
        if self._enforce:
            raise error
        if fresh:
            logger.warning(
                "operation %s: %s (demand control in measure mode: not refused)",
                self._operation.name or "(anonymous)",
                error,
            )
        return verdict if isinstance(verdict, int) else None

    def _verdict(self, variables: Mapping[str, Any]) -> int | str:
        """The estimated cost, or why it cannot be estimated."""
        try:
            return self._estimator.estimate(self._operation, variables)
        except SlicingArgumentError as error:
            return str(error)


def _verdict_key(variables: Mapping[str, Any]) -> str | None:
    """The variables as a key to remember the verdict by; None for values too large to keep."""
    if not variables:
        return ""
    key = json.dumps(variables, sort_keys=True, default=str)
    return key if len(key) <= _LARGEST_REMEMBERED_VARIABLES else None


def _too_expensive(cost: int, max_cost: int) -> RequestError:
    return RequestError(
        [
            {
                "message": f"The operation's estimated cost is {cost}, more than the maximum "
                f"of {max_cost}: request fewer list items (smaller slicing arguments such as "
                "first or limit) or fewer fields",
                "extensions": {
                    "code": COST_ESTIMATED_TOO_EXPENSIVE,
                    "estimatedCost": cost,
                    "maxCost": max_cost,
                },
            }
        ]
    )
