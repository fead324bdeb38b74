"""observability's settings: which health endpoints to probe and when a service is degraded.

`EHB_OBSERVED_SERVICES` is a comma-separated list of `name=url` health URLs, e.g.
`router=http://127.0.0.1:4000/health,money=http://127.0.0.1:4002/health`; by default the
router and every subgraph on their `ehb dev` ports. `EHB_OBSERVED_INTERVAL_SECONDS` is how often
they are probed in the background for health alerts. `EHB_ALERTS_*` are the alert rules'
thresholds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from subgraphs import DEFAULT_ROUTER_PORT, DEFAULT_SUBGRAPH_PORTS

LOOPBACK = "127.0.0.1"
_SERVICE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """One service to probe: its name and the URL of its health endpoint."""

    name: str
    url: str


def default_targets() -> tuple[ProbeTarget, ...]:
    """The router and each subgraph where `ehb dev` serves them."""
    return (
        ProbeTarget("router", f"http://{LOOPBACK}:{DEFAULT_ROUTER_PORT}/health"),
        *(
            ProbeTarget(name, f"http://{LOOPBACK}:{port}/health")
            for name, port in DEFAULT_SUBGRAPH_PORTS.items()
        ),
    )


def parse_targets(raw: str) -> tuple[ProbeTarget, ...]:
    """`name=url,name=url` -> targets; ValueError naming the first bad entry."""
    targets: list[ProbeTarget] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        name, equals, url = (piece.strip() for piece in entry.partition("="))
        parts = urlsplit(url)
        if (
            not equals
            or not _SERVICE_NAME.match(name)
            or parts.scheme not in ("http", "https")
            or not parts.netloc
        ):
            raise ValueError(
                f"EHB_OBSERVED_SERVICES entry {entry!r} is not name=http(s)://host/... "
                "(name: 1 to 64 of A-Z a-z 0-9 _ . -)"
            )
        if any(target.name == name for target in targets):
            raise ValueError(f"EHB_OBSERVED_SERVICES names {name!r} twice")
        targets.append(ProbeTarget(name, url))
    return tuple(targets)


class ObservabilitySettings(BaseSettings):
    """Read from `EHB_OBSERVED_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="EHB_OBSERVED_", extra="ignore")

    services: str = Field(default="", description="name=url,... health URLs; empty: defaults")
    timeout_seconds: float = Field(default=2.0, gt=0, description="per probe, whole request")
    degraded_latency_ms: int = Field(default=1000, ge=1, description="slower than this: DEGRADED")
    interval_seconds: float = Field(
        default=30.0, ge=0, description="probe every service this often for alerts; 0: never"
    )

    def targets(self) -> tuple[ProbeTarget, ...]:
        return parse_targets(self.services) if self.services.strip() else default_targets()


class AlertSettings(BaseSettings):
    """Alert rule thresholds, from `EHB_ALERTS_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="EHB_ALERTS_", extra="ignore")

    failed_logins: int = Field(default=20, ge=1)
    failed_logins_window_seconds: float = Field(default=300, gt=0)
    account_locks: int = Field(default=3, ge=1)
    account_locks_window_seconds: float = Field(default=600, gt=0)
    payment_failures: int = Field(default=5, ge=1)
    payment_failures_window_seconds: float = Field(default=300, gt=0)


class RetentionSettings(BaseSettings):
    """How long observability keeps history, from `EHB_OBSERVABILITY_RETENTION_*` variables
    (retention.py says what goes)."""

    model_config = SettingsConfigDict(env_prefix="EHB_OBSERVABILITY_RETENTION_", extra="ignore")

    checks_days: float = Field(default=30.0, gt=0, description="service-check history")
    resolved_alerts_days: float = Field(default=90.0, gt=0, description="after resolution")
    interval_seconds: float = Field(default=3600.0, gt=0, description="pruning pace")
