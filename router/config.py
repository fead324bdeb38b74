"""The router's runtime settings, read from ``EHB_ROUTER_*`` environment variables.

Every setting has a safe default, so an empty environment gives a working router:

=========================================  ======================================  =========
variable                                   meaning                                 default
=========================================  ======================================  =========
``EHB_ROUTER_SUBGRAPH_TIMEOUT``            seconds one subgraph request may take   ``30``
``EHB_ROUTER_SUBGRAPH_TIMEOUTS``           per-subgraph timeouts overriding the    (none)
                                           one above: ``name=seconds,...``
``EHB_ROUTER_SUBGRAPH_URLS``               instance URLs replacing the             (none)
                                           supergraph's: ``name=url1|url2,...``
``EHB_ROUTER_INSTANCE_CHECK_PATH``         path where each instance of a subgraph  ``/health``
                                           with several answers 2xx while healthy
``EHB_ROUTER_INSTANCE_CHECK_INTERVAL``     seconds between two instance checks     ``2``
``EHB_ROUTER_INSTANCE_CHECK_TIMEOUT``      seconds one instance check may take     ``1``
``EHB_ROUTER_INSTANCE_UNHEALTHY_AFTER``    failed checks in a row that take an     ``2``
                                           instance out
``EHB_ROUTER_INSTANCE_HEALTHY_AFTER``      passed checks in a row that put it back ``2``
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
``EHB_ROUTER_TRUSTED_PROXIES``             proxies (addresses, CIDR networks,      (none)
                                           comma-separated) whose
                                           ``X-Forwarded-For`` names the client
                                           address: for the rate limits and the
                                           ``X-Forwarded-For`` sent to subgraphs
``EHB_ROUTER_RATE_LIMIT_IP``               requests per client address: limits     (off)
                                           like ``100/second``, several separated
                                           by ``;``; over one: HTTP 429
``EHB_ROUTER_RATE_LIMIT_USER``             the same per signed-in user (token      (off)
                                           ``sub``)
``EHB_ROUTER_RATE_LIMIT_STORAGE``          rate limit counters: ``memory://`` or   ``memory://``
                                           ``redis://host:port/db`` (shared by
                                           every router instance)
``EHB_ROUTER_RATE_LIMIT_PREFIX``           Redis key prefix of the counters        ``ehb-router``
``EHB_ROUTER_APQ``                         ``0`` refuses Automatic Persisted       ``1``
                                           Queries
``EHB_ROUTER_APQ_CACHE``                   APQ documents: ``memory://`` (LRU of    ``memory://``
                                           1000) or ``redis://...`` (shared, 24 h)
``EHB_ROUTER_SAFELIST``                    path of a persisted query manifest:     (none)
                                           only its operations run (APQ off)
``EHB_ROUTER_SAFELIST_REQUIRE_ID``         ``1``: safelisted operations only by    ``0``
                                           id
``EHB_ROUTER_CSRF``                        ``0`` stops refusing GET requests       ``1``
                                           without a preflight header (CSRF)
``EHB_ROUTER_CSRF_REQUIRED_HEADERS``       those headers, comma-separated          (Apollo's)
                                           (``x-apollo-operation-name``,
                                           ``apollo-require-preflight``)
``EHB_ROUTER_CORS_ORIGINS``                origins allowed cross-origin access,    (none)
                                           comma-separated, or ``*``; none: no
                                           CORS headers (same origin only)
``EHB_ROUTER_CORS_ALLOW_CREDENTIALS``      ``1`` allows cookies cross-origin       ``0``
                                           (not with ``*``)
``EHB_ROUTER_CORS_ALLOW_HEADERS``          request headers allowed beyond          (none)
                                           content-type, authorization and the
                                           CSRF headers
``EHB_ROUTER_CORS_MAX_AGE``                seconds browsers cache a preflight      ``600``
``EHB_ROUTER_SUPERGRAPH_POLL``             seconds between looks at the supergraph ``5``
                                           file (``ehb router`` reloads it when
                                           it changes, and on SIGHUP)
``EHB_ROUTER_METRICS``                     ``0`` switches Prometheus metrics off   ``1``
                                           (``GET /metrics`` answers 404)
``EHB_ROUTER_METRICS_MAX_OPERATIONS``      distinct operation names with their     ``200``
                                           own metric labels (then ``other``)
``EHB_ROUTER_OTLP_TRACES_ENDPOINT``        OTLP/HTTP traces URL; setting it turns  (none)
                                           tracing on (as do the standard
                                           ``OTEL_*`` variables)
=========================================  ======================================  =========

Telemetry (docs/telemetry.md): OpenTelemetry tracing is off unless ``OTEL_TRACES_EXPORTER=otlp``
or an OTLP endpoint variable is set (``router.telemetry.settings``); ``OTEL_SERVICE_NAME``
defaults to ``ehb-router``.

Operation limits (``EHB_ROUTER_MAX_DEPTH``, ``_MAX_ALIASES``, ``_MAX_ROOT_FIELDS``,
``_MAX_FIELDS``, ``_MAX_TOKENS``, ``_MAX_DOCUMENT_BYTES``), demand control (``EHB_ROUTER_MAX_COST``,
``_COST_MODE``, ``_COST_LIST_SIZE``) and introspection (``EHB_ROUTER_INTROSPECTION``,
``_INTROSPECTION_SCOPE``, off by default when ``EHB_ROUTER_ENV=production``): see the table in
``router.operation.limits``.

Several instances of a subgraph (``EHB_ROUTER_SUBGRAPH_URLS``, ``ehb router --subgraph-url
name=url1,url2``; the ``EHB_ROUTER_INSTANCE_*`` settings): ``router.instance_settings``.

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
from collections.abc import Mapping
from dataclasses import dataclass, field

from router.auth.policies import NO_POLICIES, PolicyRules, load_policy_rules
from router.env_values import ENV_PREFIX, RouterEnv
from router.http.client_address import parse_networks
from router.http.cors import CorsConfig
from router.http.csrf import CsrfConfig
from router.http.rate_limit import RateLimitConfig
from router.instance_settings import InstanceSettings
from router.operation.limits import OperationLimits
from router.operation.persisted_queries import PersistedQueryConfig
from router.telemetry.settings import TracingSettings

REQUEST_ID_HEADER = "x-request-id"


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
    supergraph_poll_seconds: float = 5.0
    trusted_proxies: str = ""
    rate_limits: RateLimitConfig = field(default_factory=RateLimitConfig)
    persisted_queries: PersistedQueryConfig = field(default_factory=PersistedQueryConfig)
    csrf: CsrfConfig = field(default_factory=CsrfConfig)
    cors: CorsConfig = field(default_factory=CorsConfig)
    instances: InstanceSettings = field(default_factory=InstanceSettings)
    metrics: bool = True
    metrics_max_operations: int = 200
    tracing: TracingSettings = field(default_factory=TracingSettings)
    operation_limits: OperationLimits = field(default_factory=OperationLimits)

    def __post_init__(self) -> None:
        parse_networks(self.trusted_proxies)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RouterConfig:
        env = os.environ if environ is None else environ
        values = RouterEnv(env, ENV_PREFIX)
        positive = values.positive
        defaults = cls()

        forwarded = values.names("FORWARD_HEADERS")
        return cls(
            subgraph_timeout_seconds=positive(
                "SUBGRAPH_TIMEOUT", float, defaults.subgraph_timeout_seconds
            ),
            subgraph_timeouts=_subgraph_timeouts(values.raw("SUBGRAPH_TIMEOUTS")),
            deduplicate_subgraph_fetches=values.switch("DEDUP", default=True),
            deduplicate_queries=values.switch("DEDUP", default=True),
            server_timing=values.switch("SERVER_TIMING", default=False),
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
            else tuple(name.lower() for name in forwarded),
            override_labels=frozenset(values.names("OVERRIDE_LABELS") or ()),
            jwks_url=values.url("JWKS_URL"),
            token_issuer=values.text("TOKEN_ISSUER", defaults.token_issuer),
            token_audience=values.text("TOKEN_AUDIENCE", defaults.token_audience),
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
            supergraph_poll_seconds=positive(
                "SUPERGRAPH_POLL", float, defaults.supergraph_poll_seconds
            ),
            trusted_proxies=_trusted_proxies(values),
            rate_limits=RateLimitConfig.from_env(env, ENV_PREFIX),
            persisted_queries=PersistedQueryConfig.from_env(env, ENV_PREFIX),
            csrf=CsrfConfig.from_env(env, ENV_PREFIX),
            cors=CorsConfig.from_env(env, ENV_PREFIX),
            instances=InstanceSettings.from_env(env),
            metrics=values.switch("METRICS", default=True),
            metrics_max_operations=positive(
                "METRICS_MAX_OPERATIONS", int, defaults.metrics_max_operations
            ),
            tracing=TracingSettings.from_env(env),
            operation_limits=OperationLimits.from_env(env),
        )


def _trusted_proxies(values: RouterEnv) -> str:
    raw = values.raw("TRUSTED_PROXIES")
    try:
        parse_networks(raw)
    except ValueError as error:
        raise ValueError(f"{values.variable('TRUSTED_PROXIES')}: {error}") from None
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
