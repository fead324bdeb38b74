"""``@policy`` rules: which policy names a principal satisfies, decided from its token claims.

``EHB_ROUTER_POLICIES`` holds a JSON object (inline, or the path of a ``.json`` file) mapping each
policy name used in the supergraph to one rule over the claims::

    {"mfa": {"claim": "amr", "contains": "otp"},
     "verified": {"claim": "email_verified", "equals": true},
     "staff": {"claim": "roles", "contains_any": ["support_agent", "operator", "admin"]},
     "mfa_staff": {"all": [{"policy": "mfa"}, {"policy": "staff"}]}}

A rule is one of
  ``{"claim": C, "equals": V}``       the claim equals V
  ``{"claim": C, "contains": V}``     the claim is a list holding V (or a space-separated string
                                      with the word V, as ``scope`` is)
  ``{"claim": C, "contains_any": [..]}`` / ``"contains_all"``   the same for several values
  ``{"claim": C, "in": [..]}``        the claim's value is one of those
  ``{"claim": C, "exists": true}``    the claim is present (``false``: absent)
  ``{"all": [rules]}``, ``{"any": [rules]}``, ``{"not": rule}``, ``{"policy": name}``
``C`` may be a dotted path into nested objects (``"org.tier"``). Anonymous requests have no
claims, so only ``exists: false`` and ``not`` rules can hold for them. A policy the supergraph
uses but no rule defines is never satisfied (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

Predicate = Callable[[Mapping[str, Any]], bool]
_MISSING = object()


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """Named predicates over claims."""

    rules: Mapping[str, Predicate]
    source: Mapping[str, Any]

    def satisfied(self, name: str, claims: Mapping[str, Any]) -> bool:
        rule = self.rules.get(name)
        return rule is not None and rule(claims)

    def __contains__(self, name: object) -> bool:
        return name in self.rules


NO_POLICIES = PolicyRules({}, {})


def load_policy_rules(raw: str | None) -> PolicyRules:
    """Parse ``EHB_ROUTER_POLICIES`` (inline JSON or a file path); raises ``ValueError``."""
    if raw is None or not raw.strip():
        return NO_POLICIES
    text = raw.strip()
    if not text.startswith("{"):
        path = Path(text)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(f"cannot read the policy file {path}: {error}") from None
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ValueError(f"policies are not valid JSON: {error}") from None
    return parse_policy_rules(document)


def parse_policy_rules(document: Any) -> PolicyRules:
    if not isinstance(document, dict):
        raise ValueError("policies must be a JSON object mapping policy names to rules")
    rules: dict[str, Predicate] = {}
    for name, rule in document.items():
        rules[name] = _compile(rule, f"policy {name!r}", rules, document)
    return PolicyRules(rules, document)


def _compile(
    rule: Any, where: str, rules: dict[str, Predicate], document: dict[str, Any]
) -> Predicate:
    if not isinstance(rule, dict) or not rule:
        raise ValueError(f"{where}: a rule must be a JSON object")
    if "all" in rule or "any" in rule:
        key = "all" if "all" in rule else "any"
        items = rule[key]
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where}: {key!r} needs a non-empty list of rules")
        parts = [_compile(item, where, rules, document) for item in items]
        if key == "all":
            return lambda claims: all(part(claims) for part in parts)
        return lambda claims: any(part(claims) for part in parts)
    if "not" in rule:
        inner = _compile(rule["not"], where, rules, document)
        return lambda claims: not inner(claims)
    if "policy" in rule:
        other = rule["policy"]
        if other not in document:
            raise ValueError(f"{where}: refers to undefined policy {other!r}")
        # Resolved at evaluation time, so policies may refer to ones defined later.
        return lambda claims: (found := rules.get(other)) is not None and found(claims)
    claim = rule.get("claim")
    if not isinstance(claim, str) or not claim:
        raise ValueError(f"{where}: a rule needs 'claim' (or all/any/not/policy)")
    path = claim.split(".")
    tests = [key for key in rule if key != "claim"]
    if len(tests) != 1:
        raise ValueError(
            f"{where}: give exactly one of equals, contains, contains_any, contains_all, in, exists"
        )
    test = tests[0]
    expected = rule[test]
    if test == "equals":
        return lambda claims: _value(claims, path) == expected
    if test == "contains":
        return lambda claims: expected in _members(_value(claims, path))
    if test in ("contains_any", "contains_all", "in"):
        if not isinstance(expected, list):
            raise ValueError(f"{where}: {test!r} needs a list")
        if test == "in":
            return lambda claims: _value(claims, path) in expected
        if test == "contains_any":
            return lambda claims: any(v in _members(_value(claims, path)) for v in expected)
        return lambda claims: all(v in _members(_value(claims, path)) for v in expected)
    if test == "exists":
        if not isinstance(expected, bool):
            raise ValueError(f"{where}: 'exists' needs true or false")
        return lambda claims: (_value(claims, path) is not _MISSING) == expected
    raise ValueError(f"{where}: unknown test {test!r}")


def _value(claims: Mapping[str, Any], path: list[str]) -> Any:
    value: Any = claims
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _members(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return value.split()
    return []
