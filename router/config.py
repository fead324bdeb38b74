"""The router's runtime settings, read from ``EHB_ROUTER_*`` environment variables.

Every setting has a safe default, so an empty environment gives a working router:

=========================================  ======================================  =========
variable                                   meaning                                 default
=========================================  ======================================  =========
``EHB_ROUTER_SUBGRAPH_TIMEOUT``            seconds one subgraph request may take   ``30``
``EHB_ROUTER_SUBGRAPH_TIMEOUTS``           per-subgraph timeouts overriding the    (none)
                                           one above: ``name=seconds,...``
``EHB_ROUTER_DEDUP``                       ``0`` stops identical concurrent        ``1``
                                           client queries sharing one execution
                                           and identical in-flight subgraph
                                           queries sharing one request
``EHB_ROUTER_SERVER_TIMING``               ``1`` adds a ``Server-Timing`` header   ``0``
                                           to GraphQL responses (see below)
``EHB_ROUTER_SUBGRAPH_CONNECT_TIMEOUT``    seconds to open a subgraph connection   ``5``
``EHB_ROUTER_SUBGRAPH_MAX_CONNECTIONS``    pooled connections per subgraph         ``100``
``EHB_ROUTER_SUBGRAPH_KEEPALIVE``          seconds an idle pooled connection lives ``4``
``EHB_ROUTER_HEALTH_PROBE_TIMEOUT``        seconds a ``/health`` subgraph probe    ``2``
                                           may take
``EHB_ROUTER_MAX_REQUEST_BYTES``           largest accepted request body           ``1000000``
``EHB_ROUTER_PLAN_CACHE_SIZE``             query plans kept in the plan cache      ``1024``
``EHB_ROUTER_SHUTDOWN_GRACE``              seconds in-flight requests get to       ``30``
                                           finish on SIGTERM
``EHB_ROUTER_FORWARD_HEADERS``             comma-separated client headers passed   ``authorization``
                                           on to subgraphs
``EHB_ROUTER_OVERRIDE_LABELS``             comma-separated custom progressive      (none)
                                           ``@override(label:)`` labels to treat
                                           as active
``EHB_ROUTER_JWKS_URL``                    the identity subgraph's JWKS            (none)
                                           (``.../.well-known/jwks.json``)
``EHB_ROUTER_TOKEN_ISSUER``                the ``iss`` access tokens must carry    ``ehb-identity``
``EHB_ROUTER_TOKEN_AUDIENCE``              the ``aud`` access tokens must carry    ``ehb-api``
``EHB_ROUTER_JWKS_MAX_AGE``                seconds a fetched JWKS is used before   ``300``
                                           it is fetched again
``EHB_ROUTER_JWKS_MIN_REFETCH``            least seconds between refetches         ``10``
                                           caused by an unknown ``kid``
``EHB_ROUTER_POLICIES``                    ``@policy`` rules: inline JSON or the   (none)
                                           path of a JSON file
``EHB_ROUTER_WS_INIT_TIMEOUT``             seconds a WebSocket client has to send  ``10``
                                           ``connection_init`` (else close 4408)
``EHB_ROUTER_SUBSCRIPTION_KEEPALIVE``      seconds between keep-alive pings to     ``15``
                                           WebSocket clients and subgraphs (and
                                           comments to event streams); a subgraph
                                           silent this long after a ping is gone
=========================================  ======================================  =========

Authentication and authorization (docs/identity-and-access.md): with ``EHB_ROUTER_JWKS_URL`` set,
``Authorization: Bearer <token>`` is verified against that JWKS (EdDSA only; ``iss``, ``aud``,
``sub``, ``iat``, ``exp`` required; 30 s clock skew) and a bad token is refused with HTTP 401
(``UNAUTHENTICATED``); without a header the request is anonymous. Without a JWKS URL every
request is anonymous. Either way ``@authenticated``, ``@requiresScopes`` and ``@policy`` are
enforced before planning. ``EHB_ROUTER_POLICIES`` maps each ``@policy`` name to a rule over the
token's claims, for example ``{"mfa": {"claim": "amr", "contains": "otp"}, "verified":
{"claim": "email_verified", "equals": true}}`` (every rule form: ``router.auth.policies``); a
policy without a rule is never satisfied.

Progressive override: a ``percent(N)`` label of the supergraph is active for a request with
probability N/100 (decided per request, independently per label); any other label (``label:
"my-flag"``) is active exactly when ``EHB_ROUTER_OVERRIDE_LABELS`` lists it. While a label is
active its fields are resolved by the overriding subgraph, otherwise by the one overridden.

Deduplication (``router.http.deduplicate``, ``router.transport.http_fetcher``): client queries
are shared only when document, operation name, variables, verified caller (or anonymous) and
forwarded headers are all the same, subgraph fetches only when subgraph, body and forwarded
headers are; mutations and subscriptions never are. ``EHB_ROUTER_DEDUP=0`` measures the raw cost
of every request.

``Server-Timing: subgraphs;dur=<ms>, total;dur=<ms>``: ``subgraphs`` is the wall time during
which at least one subgraph fetch of the request was in flight, ``total`` the router's time for
the request; ``total - subgraphs`` is the router's overhead. Off by default: it tells clients how
long subgraphs take.

The idle keep-alive time stays below the 5 s that uvicorn and Node servers keep an idle
connection open, so the router rarely reuses a connection the subgraph is about to close.
Malformed values raise ``ValueError`` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from router.auth.policies import NO_POLICIES, PolicyRules, load_policy_rules

ENV_PREFIX = "EHB_ROUTER_"
REQUEST_ID_HEADER = "x-request-id"

_Value = TypeVar("_Value", int, float)


@dataclass(frozen=True, slots=True)
class RouterConfig:
    subgraph_timeout_seconds: float = 30.0
    subgraph_timeouts: Mapping[str, float] = field(default_factory=dict)
    deduplicate_subgraph_fetches: bool = True
    deduplicate_queries: bool = True
    server_timing: bool = False
    subgraph_connect_timeout_seconds: float = 5.0
    subgraph_max_connections: int = 100
    subgraph_keepalive_seconds: float = 4.0
    health_probe_timeout_seconds: float = 2.0
    max_request_bytes: int = 1_000_000
    plan_cache_size: int = 1024
    shutdown_grace_seconds: float = 30.0
    forwarded_headers: tuple[str, ...] = ("authorization",)
    override_labels: frozenset[str] = frozenset()
    jwks_url: str | None = None
    token_issuer: str = "ehb-identity"
    token_audience: str = "ehb-api"
    jwks_max_age_seconds: float = 300.0
    jwks_min_refetch_seconds: float = 10.0
    policies: PolicyRules = NO_POLICIES
    websocket_init_timeout_seconds: float = 10.0
    subscription_keepalive_seconds: float = 15.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RouterConfig:
        env = os.environ if environ is None else environ
        defaults = cls()

        def positive(name: str, parse: Callable[[str], _Value], default: _Value) -> _Value:
            raw = env.get(ENV_PREFIX + name)
            if raw is None or raw.strip() == "":
                return default
            try:
                value = parse(raw.strip())
            except ValueError:
                kind = "a whole number" if parse is int else "a number"
                raise ValueError(f"{ENV_PREFIX}{name} must be {kind}, got {raw!r}") from None
            if value <= 0:
                raise ValueError(f"{ENV_PREFIX}{name} must be positive, got {raw!r}")
            return value

        forwarded = env.get(ENV_PREFIX + "FORWARD_HEADERS")
        labels = env.get(ENV_PREFIX + "OVERRIDE_LABELS") or ""
        return cls(
            subgraph_timeout_seconds=positive(
                "SUBGRAPH_TIMEOUT", float, defaults.subgraph_timeout_seconds
            ),
            subgraph_timeouts=_subgraph_timeouts(env.get(ENV_PREFIX + "SUBGRAPH_TIMEOUTS") or ""),
            deduplicate_subgraph_fetches=_switch(env, "DEDUP", default=True),
            deduplicate_queries=_switch(env, "DEDUP", default=True),
            server_timing=_switch(env, "SERVER_TIMING", default=False),
            subgraph_connect_timeout_seconds=positive(
                "SUBGRAPH_CONNECT_TIMEOUT", float, defaults.subgraph_connect_timeout_seconds
            ),
            subgraph_max_connections=positive(
                "SUBGRAPH_MAX_CONNECTIONS", int, defaults.subgraph_max_connections
            ),
            subgraph_keepalive_seconds=positive(
                "SUBGRAPH_KEEPALIVE", float, defaults.subgraph_keepalive_seconds
            ),
            health_probe_timeout_seconds=positive(
                "HEALTH_PROBE_TIMEOUT", float, defaults.health_probe_timeout_seconds
            ),
            max_request_bytes=positive("MAX_REQUEST_BYTES", int, defaults.max_request_bytes),
            plan_cache_size=positive("PLAN_CACHE_SIZE", int, defaults.plan_cache_size),
            shutdown_grace_seconds=positive(
                "SHUTDOWN_GRACE", float, defaults.shutdown_grace_seconds
            ),
            forwarded_headers=defaults.forwarded_headers
            if forwarded is None
            else tuple(name.strip().lower() for name in forwarded.split(",") if name.strip()),
            override_labels=frozenset(
                label.strip() for label in labels.split(",") if label.strip()
            ),
            jwks_url=_url(env, "JWKS_URL"),
            token_issuer=(env.get(ENV_PREFIX + "TOKEN_ISSUER") or "").strip()
            or defaults.token_issuer,
            token_audience=(env.get(ENV_PREFIX + "TOKEN_AUDIENCE") or "").strip()
            or defaults.token_audience,
            jwks_max_age_seconds=positive("JWKS_MAX_AGE", float, defaults.jwks_max_age_seconds),
            jwks_min_refetch_seconds=positive(
                "JWKS_MIN_REFETCH", float, defaults.jwks_min_refetch_seconds
            ),
            policies=_policies(env.get(ENV_PREFIX + "POLICIES")),
            websocket_init_timeout_seconds=positive(
                "WS_INIT_TIMEOUT", float, defaults.websocket_init_timeout_seconds
            ),
            subscription_keepalive_seconds=positive(
                "SUBSCRIPTION_KEEPALIVE", float, defaults.subscription_keepalive_seconds
            ),
        )


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(ENV_PREFIX + name) or "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise ValueError(f"{ENV_PREFIX}{name} must be an http(s) URL, got {raw!r}")
    return raw


def _policies(raw: str | None) -> PolicyRules:
    try:
        return load_policy_rules(raw)
    except ValueError as error:
        raise ValueError(f"{ENV_PREFIX}POLICIES: {error}") from None


def _subgraph_timeouts(raw: str) -> dict[str, float]:
    timeouts: dict[str, float] = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        name, separator, seconds = pair.partition("=")
        try:
            value = float(seconds) if separator and name.strip() else 0.0
        except ValueError:
            value = 0.0
        if value <= 0:
            raise ValueError(
                f"{ENV_PREFIX}SUBGRAPH_TIMEOUTS must be name=seconds pairs separated by commas "
                f"with positive seconds, got {pair.strip()!r}"
            )
        timeouts[name.strip()] = value
    return timeouts


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = (env.get(ENV_PREFIX + name) or "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "on", "yes"}:
        return True
    if raw in {"0", "false", "off", "no"}:
        return False
    raise ValueError(f"{ENV_PREFIX}{name} must be 1 or 0, got {raw!r}")
