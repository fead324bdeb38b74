"""Traces (OpenTelemetry, OTLP/HTTP) and metrics (Prometheus ``/metrics``) of the router.

Import the submodules themselves: ``router.config`` imports ``router.telemetry.settings``, so
this package imports nothing on its own. See docs/telemetry.md.
"""
