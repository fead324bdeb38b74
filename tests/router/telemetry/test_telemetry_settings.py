"""Which environment turns tracing on, and the metrics settings of ``RouterConfig``."""

from __future__ import annotations

import pytest

from router.config import RouterConfig
from router.telemetry.settings import TracingSettings


def test_tracing_is_off_in_an_empty_environment() -> None:
    assert TracingSettings.from_env({}) == TracingSettings(enabled=False)
    assert RouterConfig.from_env({}).tracing.enabled is False


@pytest.mark.parametrize(
    "env",
    [
        {"OTEL_TRACES_EXPORTER": "otlp"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"},
        {"EHB_ROUTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"},
    ],
)
def test_the_standard_variables_or_the_router_endpoint_turn_tracing_on(
    env: dict[str, str],
) -> None:
    assert TracingSettings.from_env(env).enabled is True


def test_the_router_endpoint_and_service_name_are_used() -> None:
    settings = TracingSettings.from_env(
        {"EHB_ROUTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces", "OTEL_SERVICE_NAME": "edge"}
    )
    assert settings == TracingSettings(
        enabled=True, service_name="edge", endpoint="http://c:4318/v1/traces"
    )


@pytest.mark.parametrize(
    "env",
    [
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"},
        {"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"},
    ],
)
def test_tracing_can_be_kept_off_explicitly(env: dict[str, str]) -> None:
    assert TracingSettings.from_env(env).enabled is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER must be otlp or none"),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "gRPC is not supported",
        ),
        ({"EHB_ROUTER_OTLP_TRACES_ENDPOINT": "collector:4318"}, "must be an http"),
    ],
)
def test_unusable_tracing_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RouterConfig.from_env(env)


def test_metrics_settings() -> None:
    assert RouterConfig.from_env({}).metrics is True
    assert RouterConfig.from_env({}).metrics_max_operations == 200
    config = RouterConfig.from_env(
        {"EHB_ROUTER_METRICS": "0", "EHB_ROUTER_METRICS_MAX_OPERATIONS": "50"}
    )
    assert (config.metrics, config.metrics_max_operations) == (False, 50)
    with pytest.raises(ValueError, match="EHB_ROUTER_METRICS_MAX_OPERATIONS must be positive"):
        RouterConfig.from_env({"EHB_ROUTER_METRICS_MAX_OPERATIONS": "0"})
