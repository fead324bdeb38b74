"""The subgraph side of the subscriptions benchmark, in a process of its own: the test graph's
``feed`` and ``shop`` subgraphs and a token issuer's JWKS on loopback ports
(``tests/fixtures/subscriptions``), the same servers the integration tests start.

Prints one JSON line when serving: the three URLs and an access token the router accepts,
then serves until stdin closes (the benchmark ends it) or SIGTERM.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
import time

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fixtures.authorization.issuer import JWKS_PATH, TokenIssuer
from tests.fixtures.benchmark.loopback import start_loopback_server
from tests.fixtures.features.harness import RequestLog
from tests.fixtures.subscriptions.subgraphs import BROKER, feed_app, shop_app


async def main() -> None:
    issuer = TokenIssuer()
    log = RequestLog()

    async def keys(request: Request) -> Response:
        return Response(orjson.dumps(issuer.jwks()), media_type="application/json")

    async def stats(request: Request) -> Response:
        """What the router did to the subgraphs: upstream sockets to feed, requests to shop."""
        counts = {
            "feed_websockets_open": BROKER.websockets_open,
            "feed_websockets_total": BROKER.websockets_total,
            "feed_listeners": sum(len(queues) for queues in BROKER.listeners.values()),
            "shop_requests": log.counts().get("shop", 0),
        }
        log.clear()  # the entries hold request bodies: keep memory flat
        return Response(orjson.dumps(counts), media_type="application/json")

    jwks = await start_loopback_server(
        Starlette(routes=[Route(JWKS_PATH, keys), Route("/stats", stats)])
    )
    feed = await start_loopback_server(feed_app())
    shop = await start_loopback_server(shop_app(log))
    ready = {
        "feed": feed.graphql_url,
        "shop": shop.graphql_url,
        "jwks": f"{jwks.base_url}{JWKS_PATH}",
        "stats": f"{jwks.base_url}/stats",
        # Valid for an hour: longer than any run, so no subscription ends at its expiry.
        "token": issuer.token(exp=int(time.time()) + 3600),
    }
    sys.stdout.write(orjson.dumps(ready).decode() + "\n")
    sys.stdout.flush()
    gc.collect()
    gc.freeze()

    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)
    # stdin closing (the benchmark process went away) ends the servers too.
    loop.add_reader(sys.stdin.fileno(), lambda: done.set() if not sys.stdin.read(1) else None)
    await done.wait()
    for server in (feed, shop, jwks):
        server.server.should_exit = True
    await asyncio.gather(*(s.task for s in (feed, shop, jwks)), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
