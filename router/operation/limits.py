"""Operation limits, demand control and introspection access: the settings.

Read from ``EHB_ROUTER_*`` variables by ``OperationLimits.from_env`` (``router.config`` holds
one field of this type). A limit of ``0`` switches that limit off.

=========================================  ======================================  =========
variable                                   meaning                                 default
=========================================  ======================================  =========
``EHB_ROUTER_MAX_DOCUMENT_BYTES``          largest GraphQL document (UTF-8 bytes)  ``100000``
``EHB_ROUTER_MAX_TOKENS``                  most lexical tokens in a document       ``15000``
``EHB_ROUTER_MAX_DEPTH``                   deepest field nesting (root fields are  ``20``
                                           depth 1; fragments expanded; the
                                           standard introspection query is 15)
``EHB_ROUTER_MAX_ALIASES``                 most aliased fields (fragments          ``30``
                                           expanded)
``EHB_ROUTER_MAX_ROOT_FIELDS``             most fields at the operation's root     ``20``
                                           (distinct response keys, fragments
                                           expanded)
``EHB_ROUTER_MAX_FIELDS``                  most fields in all (fragments expanded) ``2000``
``EHB_ROUTER_MAX_COST``                    highest estimated cost (demand          ``0`` (off)
                                           control, ``@cost``/``@listSize``)
``EHB_ROUTER_COST_MODE``                   ``enforce`` rejects operations over     ``enforce``
                                           ``MAX_COST``; ``measure`` only logs them
``EHB_ROUTER_COST_LIST_SIZE``              assumed size of a list field without    ``10``
                                           ``@listSize`` (or whose slicing
                                           argument is not given)
``EHB_ROUTER_ENV``                         ``production`` turns introspection off  ``EHB_ENV``
                                           by default                              or ``dev``
``EHB_ROUTER_INTROSPECTION``               ``1``/``0``: answer ``__schema`` and    on, off in
                                           ``__type``                              production
``EHB_ROUTER_INTROSPECTION_SCOPE``         a token scope that allows introspection (none)
                                           even while it is off (e.g. ``admin``)
=========================================  ======================================  =========

Every limit is checked right after parsing, before validation and planning, and answered with
HTTP 400 and a stable ``extensions.code`` (``router.operation.guard``). ``__typename`` alone is
never introspection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from router.env_values import RouterEnv

CostMode = Literal["enforce", "measure"]


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """``None`` switches a limit off."""

    max_document_bytes: int | None = 100_000
    max_tokens: int | None = 15_000
    max_depth: int | None = 20
    max_aliases: int | None = 30
    max_root_fields: int | None = 20
    max_fields: int | None = 2_000
    max_cost: int | None = None
    cost_mode: CostMode = "enforce"
    default_list_size: int = 10
    introspection: bool = True
    introspection_scope: str | None = None

    @classmethod
    def unbounded(cls) -> OperationLimits:
        """Every size and cost limit off; introspection and the cost settings as by default."""
        return cls(
            max_document_bytes=None,
            max_tokens=None,
            max_depth=None,
            max_aliases=None,
            max_root_fields=None,
            max_fields=None,
            max_cost=None,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OperationLimits:
        """Raises ``ValueError`` naming the variable when a value is malformed."""
        defaults = cls()
        values = RouterEnv(env)
        production = (values.raw("ENV") or env.get("EHB_ENV", "")).strip().lower() == "production"
        list_size = values.whole_number("COST_LIST_SIZE")
        return cls(
            max_document_bytes=_limit(values, "MAX_DOCUMENT_BYTES", defaults.max_document_bytes),
            max_tokens=_limit(values, "MAX_TOKENS", defaults.max_tokens),
            max_depth=_limit(values, "MAX_DEPTH", defaults.max_depth),
            max_aliases=_limit(values, "MAX_ALIASES", defaults.max_aliases),
            max_root_fields=_limit(values, "MAX_ROOT_FIELDS", defaults.max_root_fields),
            max_fields=_limit(values, "MAX_FIELDS", defaults.max_fields),
            max_cost=_limit(values, "MAX_COST", defaults.max_cost),
            cost_mode=_cost_mode(values),
            default_list_size=defaults.default_list_size if list_size is None else list_size,
            introspection=values.switch("INTROSPECTION", default=not production),
            introspection_scope=values.optional("INTROSPECTION_SCOPE"),
        )


def _limit(values: RouterEnv, name: str, default: int | None) -> int | None:
    """Unset: ``default``; ``0``: no limit."""
    value = values.whole_number(name)
    if value is None:
        return default
    return value or None


def _cost_mode(values: RouterEnv) -> CostMode:
    raw = values.raw("COST_MODE").lower()
    if raw in ("", "enforce"):
        return "enforce"
    if raw == "measure":
        return "measure"
    raise ValueError(f"{values.variable('COST_MODE')} must be enforce or measure, got {raw!r}")
