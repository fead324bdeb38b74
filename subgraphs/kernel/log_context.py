"""The id of the request a subgraph is serving, for its logs (set per request by the kernel
app; the JSON log lines of `ehb subgraph` carry it as `request_id`)."""

from __future__ import annotations

from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("ehb_subgraph_request_id", default=None)
