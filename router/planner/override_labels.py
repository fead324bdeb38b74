"""Progressive ``@override`` labels: which are active for one request.

A ``percent(N)`` label is active with probability N/100, decided once per request and
independently per label (as Apollo Router does); any other label is active when the router's
configuration enables it. The planner then plans with exactly the active labels.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

_PERCENT = re.compile(r"^percent\((?P<value>\d{1,3}(?:\.\d{1,8})?)\)$")


def label_percent(label: str) -> float | None:
    """N of a ``percent(N)`` label (0 to 100), or None for a custom label."""
    match = _PERCENT.match(label)
    if match is None:
        return None
    value = float(match.group("value"))
    return value if value <= 100 else None


class OverrideLabelPolicy:
    """Decides the active labels of each request; ``rng`` is injectable for tests."""

    def __init__(
        self,
        labels: Iterable[str],
        enabled: Iterable[str] = (),
        rng: random.Random | None = None,
    ) -> None:
        enabled_labels = frozenset(enabled)
        self._rng = rng if rng is not None else random.Random()
        self._percent: list[tuple[str, float]] = []
        fixed: set[str] = set()
        for label in sorted(set(labels)):  # sorted: the same draws for the same seed
            percent = label_percent(label)
            if percent is not None:
                self._percent.append((label, percent))
            elif label in enabled_labels:
                fixed.add(label)
        self._fixed = frozenset(fixed)

    def for_request(self) -> frozenset[str]:
        if not self._percent:
            return self._fixed
        active = set(self._fixed)
        for label, percent in self._percent:
            if self._rng.random() * 100 < percent:
                active.add(label)
        return frozenset(active)
