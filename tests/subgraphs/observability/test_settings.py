"""Which services observability watches: EHB_OBSERVED_SERVICES or the `ehb dev` defaults."""

from __future__ import annotations

import pytest

from subgraphs import DEFAULT_SUBGRAPH_PORTS, SUBGRAPH_NAMES
from subgraphs.observability.settings import ObservabilitySettings, ProbeTarget, parse_targets


def test_default_targets_are_the_router_and_every_subgraph(monkeypatch):
    monkeypatch.delenv("EHB_OBSERVED_SERVICES", raising=False)

    targets = ObservabilitySettings().targets()

    assert targets[0] == ProbeTarget("router", "http://127.0.0.1:4000/health")
    assert [target.name for target in targets[1:]] == list(SUBGRAPH_NAMES)
    assert targets[1:] == tuple(
        ProbeTarget(name, f"http://127.0.0.1:{DEFAULT_SUBGRAPH_PORTS[name]}/health")
        for name in SUBGRAPH_NAMES
    )


def test_targets_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "EHB_OBSERVED_SERVICES", " router=http://gw:4000/health , money=https://m.example/health,"
    )
    monkeypatch.setenv("EHB_OBSERVED_DEGRADED_LATENCY_MS", "250")

    settings = ObservabilitySettings()

    assert settings.targets() == (
        ProbeTarget("router", "http://gw:4000/health"),
        ProbeTarget("money", "https://m.example/health"),
    )
    assert settings.degraded_latency_ms == 250


@pytest.mark.parametrize(
    "raw",
    [
        "router",
        "=http://x/health",
        "router=ftp://x/health",
        "router=not a url",
        "a=http://x/health,a=http://y/health",
        "bad name=http://x/health",
    ],
)
def test_malformed_targets_are_refused_with_the_entry(raw):
    with pytest.raises(ValueError, match="EHB_OBSERVED_SERVICES"):
        parse_targets(raw)
