"""Enforce ``@authenticated``, ``@requiresScopes`` and ``@policy`` before planning.

As Apollo Router does: the fields (and type-conditioned fragments) a caller may not see are
removed from the operation, the rest is planned and executed, and each removed field comes back
as ``null`` at its path with an error (``UNAUTHENTICATED`` for an anonymous caller,
``FORBIDDEN`` for a signed-in one without the scopes or policies), null-bubbling like any null.

A field is removed when a requirement fails on
  * the field itself (on an interface: also on each implementation's field),
  * its return type (object, interface, scalar or enum); for an interface return type whose
    fields are selected directly, also on every possible type,
  * the object type it is selected on (protects a whole root type).
A fragment is removed when its type condition (and, for abstract conditions selecting fields
directly, a possible type) has a failing requirement; objects of that type then come back
without its fields, with an error at their path. A field whose sub-selections are all removed
is removed too (no empty selection sets reach a subgraph). Introspection is never filtered.

The filtering depends only on the operation and on which requirements the caller fails
(``AuthorizationOutcome``), so plans are cached per document and outcome: callers who fail
the same requirements share a plan, callers who fail different ones never do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import (
    GraphQLAbstractType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    is_abstract_type,
)
from graphql.language import ast

from router.auth.policies import NO_POLICIES, PolicyRules
from router.auth.principal import Principal
from router.operation.document import ClientOperation
from router.operation.normalise import INTROSPECTION_ROOT_FIELDS, Field, Fragment, Selection
from router.supergraph.authorization import AuthorizationRules, Requirement

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"

Selections = tuple[Selection, ...]
# (root type, normalised selections) -> (selections to plan, selections to shape)
SelectionFilter = Callable[[str, Selections], tuple[Selections, Selections]]


@dataclass(frozen=True, slots=True)
class AuthorizationOutcome:
    """Which of an operation's requirements the caller fails (never empty), and whether the
    caller is anonymous (which decides the error code)."""

    anonymous: bool
    failed: frozenset[Requirement]


@dataclass(frozen=True, slots=True)
class Denial:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class DeniedField(Field):
    """A field removed from the plan: shaped as ``null`` with ``denial`` at its path."""

    denial: Denial


@dataclass(frozen=True, slots=True)
class DeniedFragment(Fragment):
    """A fragment removed from the plan: objects it applies to get ``denial`` at their path."""

    denial: Denial


class Authorizer:
    def __init__(
        self,
        rules: AuthorizationRules,
        schema: GraphQLSchema,
        policies: PolicyRules = NO_POLICIES,
    ) -> None:
        self.rules = rules
        self.schema = schema
        self.policies = policies
        self._type_cache: dict[str, frozenset[Requirement]] = {}
        self._by_field_name = self._index_field_names()

    # --- which requirements an operation can meet -------------------------------------------
    def relevant(self, operation: ClientOperation) -> frozenset[Requirement]:
        """Every requirement filtering this document might consult (a superset: by field and
        type names anywhere in it, whatever the parent type or @skip/@include values)."""
        found: set[Requirement] = set()
        root = self.schema.get_root_type(operation.operation.operation)
        if root is not None:
            found.update(self.rules.of_type(root.name))
        definitions: list[ast.Node] = [operation.operation, *operation.fragments.values()]
        for definition in definitions:
            for node in _walk(definition):
                if isinstance(node, ast.FieldNode):
                    found.update(self._by_field_name.get(node.name.value, ()))
                elif isinstance(node, ast.NamedTypeNode):
                    found.update(self._with_possible_types(node.name.value))
        return frozenset(found)

    def outcome(
        self, relevant: frozenset[Requirement], principal: Principal | None
    ) -> AuthorizationOutcome | None:
        """None when the caller meets every requirement (the unfiltered plan applies)."""
        failed = frozenset(r for r in relevant if not self.satisfies(principal, r))
        return AuthorizationOutcome(principal is None, failed) if failed else None

    def satisfies(self, principal: Principal | None, requirement: Requirement) -> bool:
        if requirement.kind == "authenticated":
            return principal is not None
        if requirement.kind == "scopes":
            scopes = principal.scopes if principal is not None else frozenset()
            return any(group <= scopes for group in requirement.alternatives)
        claims = principal.claims if principal is not None else {}
        return any(
            all(self.policies.satisfied(name, claims) for name in group)
            for group in requirement.alternatives
        )

    def selection_filter(self, outcome: AuthorizationOutcome) -> SelectionFilter:
        def apply(root: str, selections: Selections) -> tuple[Selections, Selections]:
            return _Filter(self, outcome).selections(root, selections)

        return apply

    # --- requirements of schema elements ----------------------------------------------------
    def _index_field_names(self) -> dict[str, frozenset[Requirement]]:
        index: dict[str, set[Requirement]] = {}
        for named in self.schema.type_map.values():
            fields = getattr(named, "fields", None)
            if named.name.startswith("__") or not isinstance(
                named, GraphQLObjectType | GraphQLInterfaceType
            ):
                continue
            assert fields is not None
            for field_name, definition in fields.items():
                entry = index.setdefault(field_name, set())
                entry.update(self.rules.of_field(named.name, field_name))
                entry.update(self.rules.of_type(named.name))
                entry.update(self._with_possible_types(_named(definition.type).name))
        return {name: frozenset(found) for name, found in index.items() if found}

    def _with_possible_types(self, type_name: str) -> frozenset[Requirement]:
        cached = self._type_cache.get(type_name)
        if cached is None:
            found = set(self.rules.of_type(type_name))
            named = self.schema.type_map.get(type_name)
            if named is not None and is_abstract_type(named):
                for possible in self.schema.get_possible_types(named):
                    found.update(self.rules.of_type(possible.name))
            cached = self._type_cache[type_name] = frozenset(found)
        return cached

    def possible_types(self, type_name: str) -> list[str]:
        named = self.schema.type_map.get(type_name)
        if named is None or not is_abstract_type(named):
            return [type_name]
        abstract: GraphQLAbstractType = named
        return [possible.name for possible in self.schema.get_possible_types(abstract)]


class _Filter:
    """One pass over a normalised operation for one outcome."""

    def __init__(self, authorizer: Authorizer, outcome: AuthorizationOutcome) -> None:
        self.authorizer = authorizer
        self.rules = authorizer.rules
        self.schema = authorizer.schema
        self.outcome = outcome

    def selections(self, parent: str, items: Selections) -> tuple[Selections, Selections]:
        planned: list[Selection] = []
        shaped: list[Selection] = []
        for item in items:
            if isinstance(item, Fragment):
                denial = self._fragment_denial(parent, item)
                if denial is not None:
                    shaped.append(DeniedFragment(item.type_condition, item.selections, denial))
                    continue
                inner_planned, inner_shaped = self.selections(item.type_condition, item.selections)
                if inner_planned:
                    planned.append(Fragment(item.type_condition, inner_planned))
                shaped.append(Fragment(item.type_condition, inner_shaped))
                continue
            if item.is_typename or item.name in INTROSPECTION_ROOT_FIELDS:
                planned.append(item)
                shaped.append(item)
                continue
            denial = self._field_denial(parent, item)
            if denial is None and item.selections is not None and item.type_name is not None:
                inner_planned, inner_shaped = self.selections(item.type_name, item.selections)
                if inner_planned:
                    planned.append(_with_selections(item, inner_planned))
                    shaped.append(_with_selections(item, inner_shaped))
                    continue
                inner = _first_denial(inner_shaped)
                if inner is None:  # nothing was selected to begin with
                    planned.append(item)
                    shaped.append(item)
                    continue
                denial = Denial(
                    inner.code,
                    f"Field {parent}.{item.name} has nothing left to select: {inner.message}",
                )
            if denial is None:
                planned.append(item)
                shaped.append(item)
                continue
            shaped.append(
                DeniedField(
                    item.response_key,
                    item.name,
                    item.arguments,
                    item.type_name,
                    item.selections,
                    denial,
                )
            )
        return tuple(planned), tuple(shaped)

    def _field_denial(self, parent: str, field: Field) -> Denial | None:
        where = f"Field {parent}.{field.name}"
        checks: list[tuple[str, tuple[Requirement, ...]]] = [
            (where, self.rules.of_field(parent, field.name))
        ]
        parent_type = self.schema.type_map.get(parent)
        if isinstance(parent_type, GraphQLObjectType):
            checks.append((f"{where} (on type {parent})", self.rules.of_type(parent)))
        elif isinstance(parent_type, GraphQLInterfaceType):
            for possible in self.authorizer.possible_types(parent):
                checks.append(
                    (
                        f"{where} (as {possible}.{field.name})",
                        self.rules.of_field(possible, field.name),
                    )
                )
        if field.type_name is not None:
            checks.append(
                (f"{where} (type {field.type_name})", self.rules.of_type(field.type_name))
            )
            if field.selections is not None and _selects_fields_directly(field.selections):
                for possible in self.authorizer.possible_types(field.type_name):
                    if possible != field.type_name:
                        checks.append((f"{where} (type {possible})", self.rules.of_type(possible)))
        return self._first_failure(checks)

    def _fragment_denial(self, parent: str, fragment: Fragment) -> Denial | None:
        condition = fragment.type_condition
        where = f"Type {condition}"
        checks: list[tuple[str, tuple[Requirement, ...]]] = [(where, self.rules.of_type(condition))]
        if _selects_fields_directly(fragment.selections):
            within = set(self.authorizer.possible_types(parent))
            for possible in self.authorizer.possible_types(condition):
                if possible != condition and possible in within:
                    checks.append((f"Type {possible}", self.rules.of_type(possible)))
        return self._first_failure(checks)

    def _first_failure(self, checks: list[tuple[str, tuple[Requirement, ...]]]) -> Denial | None:
        failed = self.outcome.failed
        for where, requirements in checks:
            for requirement in requirements:
                if requirement in failed:
                    return self._denial(where, requirement)
        return None

    def _denial(self, where: str, requirement: Requirement) -> Denial:
        if self.outcome.anonymous:
            return Denial(UNAUTHENTICATED, f"{where} requires authentication")
        return Denial(FORBIDDEN, f"{where} requires {requirement.describe()}")


def _selects_fields_directly(items: Selections) -> bool:
    return any(isinstance(item, Field) and not item.is_typename for item in items)


def _first_denial(items: Selections) -> Denial | None:
    for item in items:
        if isinstance(item, DeniedField | DeniedFragment):
            return item.denial
        if isinstance(item, Fragment):
            found = _first_denial(item.selections)
            if found is not None:
                return found
    return None


def _with_selections(field: Field, selections: Selections) -> Field:
    return Field(field.response_key, field.name, field.arguments, field.type_name, selections)


def _named(type_: object) -> GraphQLNamedType:
    while hasattr(type_, "of_type"):
        type_ = type_.of_type
    assert isinstance(type_, GraphQLNamedType)
    return type_


def _walk(node: ast.Node) -> list[ast.Node]:
    """Every field and named type (type conditions) under an executable definition."""
    found: list[ast.Node] = []
    stack: list[ast.Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.FieldNode | ast.NamedTypeNode):
            found.append(current)
        if (
            isinstance(current, ast.InlineFragmentNode | ast.FragmentDefinitionNode)
            and current.type_condition is not None
        ):
            stack.append(current.type_condition)
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return found
