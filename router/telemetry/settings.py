"""When the router exports traces, and as which service: the standard OpenTelemetry variables.

Tracing is off unless the environment asks for it, so an unconfigured router pays nothing for it:

* ``OTEL_TRACES_EXPORTER=otlp``, or an OTLP endpoint (``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``,
  ``OTEL_EXPORTER_OTLP_ENDPOINT``, or the router's own ``EHB_ROUTER_OTLP_TRACES_ENDPOINT``),
  switches it on; ``OTEL_TRACES_EXPORTER=none`` or ``OTEL_SDK_DISABLED=true`` keeps it off.
* Spans go to the OTLP/HTTP (protobuf) exporter, which reads the rest of the
  ``OTEL_EXPORTER_OTLP_*`` variables itself (headers, timeout, compression, certificates;
  default endpoint ``http://localhost:4318/v1/traces``). gRPC is not supported.
* ``OTEL_SERVICE_NAME`` names the service (default ``ehb-router``); ``OTEL_RESOURCE_ATTRIBUTES``
  and ``OTEL_TRACES_SAMPLER``/``OTEL_TRACES_SAMPLER_ARG`` work as the SDK documents them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SERVICE_NAME = "ehb-router"
ENDPOINT_VARIABLE = "EHB_ROUTER_OTLP_TRACES_ENDPOINT"
_STANDARD_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


@dataclass(frozen=True, slots=True)
class TracingSettings:
    enabled: bool = False
    service_name: str = DEFAULT_SERVICE_NAME
    # None: the exporter finds its endpoint in the OTEL_EXPORTER_OTLP_* variables.
    endpoint: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TracingSettings:
        """Raises ``ValueError`` for an exporter or protocol the router cannot use."""
        service_name = (env.get("OTEL_SERVICE_NAME") or "").strip() or DEFAULT_SERVICE_NAME
        endpoint = (env.get(ENDPOINT_VARIABLE) or "").strip() or None
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"{ENDPOINT_VARIABLE} must be an http(s) URL, got {endpoint!r}")
        if (env.get("OTEL_SDK_DISABLED") or "").strip().lower() == "true":
            return cls(enabled=False, service_name=service_name)
        exporter = (env.get("OTEL_TRACES_EXPORTER") or "").strip().lower()
        if exporter == "none":
            return cls(enabled=False, service_name=service_name)
        if exporter not in {"", "otlp"}:
            raise ValueError(f"OTEL_TRACES_EXPORTER must be otlp or none, got {exporter!r}")
        protocol = (
            env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        ) or "http/protobuf"
        enabled = (
            exporter == "otlp"
            or endpoint is not None
            or any((env.get(name) or "").strip() for name in _STANDARD_ENDPOINTS)
        )
        if enabled and protocol.strip() != "http/protobuf":
            raise ValueError(
                f"OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf (gRPC is not supported), "
                f"got {protocol!r}"
            )
        return cls(enabled=enabled, service_name=service_name, endpoint=endpoint)
