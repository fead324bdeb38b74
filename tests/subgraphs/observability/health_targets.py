"""Small real HTTP servers standing in for observed services (healthy, sick, slow, silent)."""

from __future__ import annotations

import asyncio
import socket

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SLOW_SECONDS = 0.3
HANG_SECONDS = 1.5


async def healthy(_: Request) -> Response:
    return JSONResponse({"status": "pass", "version": "9.9.9"})


async def unavailable(_: Request) -> Response:
    return JSONResponse({"status": "fail", "reason": "database unreachable"}, status_code=503)


async def warning(_: Request) -> Response:
    return JSONResponse({"status": "warn", "version": "1.2.3"})


async def not_json(_: Request) -> Response:
    return PlainTextResponse("hello")


async def slow(_: Request) -> Response:
    await asyncio.sleep(SLOW_SECONDS)
    return JSONResponse({"status": "ok"})


async def hang(_: Request) -> Response:
    await asyncio.sleep(HANG_SECONDS)
    return JSONResponse({"status": "pass"})


def health_targets_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/healthy", healthy),
            Route("/unavailable", unavailable),
            Route("/warning", warning),
            Route("/not-json", not_json),
            Route("/slow", slow),
            Route("/hang", hang),
        ]
    )


def closed_port_url() -> str:
    """A loopback URL nothing listens on (a port the OS just handed out and took back)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/health"
