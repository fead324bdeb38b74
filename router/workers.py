"""Serve an ASGI app with uvicorn from one process or from N forked workers on one socket.

Used by ``ehb router`` (``router.http.server``) and, through the composition root
(``router.cli``), by ``ehb subgraph`` (``subgraphs.kernel.serve``): subgraphs may not import the
router, so the CLI hands them ``serve``.

- SIGTERM or SIGINT: stop accepting, let in-flight requests finish, exit 0 (plain uvicorn
  re-raises the signal after shutting down, so the process would end "killed by SIGTERM").
- Workers: the app is built before forking (its memory is shared copy-on-write). Worker 0 is
  forked first and the others only once its lifespan has started, so what a first start does
  once (generating development keys, creating SQLite files) happens once. ``on_worker(index)``
  runs in each worker before it serves. SIGTERM/SIGINT to the parent stop every worker
  gracefully; SIGHUP is passed on to them (the router reloads its supergraph). One worker
  failing stops the others: no serving on at reduced capacity.
- SIGHUP is ignored until the app installs its own handler (a process would otherwise die of it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import NoReturn

import uvicorn

logger = logging.getLogger(__name__)


class GracefulServer(uvicorn.Server):
    """uvicorn that exits 0 after a graceful stop and tells ``on_started`` once serving."""

    on_started: Callable[[], None] | None = None
    on_shutdown: Callable[[], None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._request_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_started is not None:
            self.on_started()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.on_shutdown is not None:
            self.on_shutdown()
        await super().shutdown(sockets)

    def _request_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def serve(
    server: GracefulServer,
    *,
    name: str,
    workers: int = 1,
    on_worker: Callable[[int], None] | None = None,
) -> None:
    """Serve until stopped; ``SystemExit(1)`` when the server (or a worker) failed to start.

    ``name`` ("router", "money") is for messages. With ``workers`` > 1 this never returns.
    """
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if workers == 1:
        if on_worker is not None:
            on_worker(0)
        server.run()
        if not server.started:
            raise SystemExit(1)
        return
    _run_workers(server, name, workers, on_worker)


def serve_config(
    config: uvicorn.Config,
    *,
    name: str,
    workers: int = 1,
    on_worker: Callable[[int], None] | None = None,
) -> None:
    """``serve`` a ``GracefulServer`` of ``config`` (``subgraphs.kernel.serve.RunServer``)."""
    serve(GracefulServer(config), name=name, workers=workers, on_worker=on_worker)


def _run_workers(
    server: GracefulServer,
    name: str,
    workers: int,
    on_worker: Callable[[int], None] | None,
) -> NoReturn:
    listener = listening_socket(name, server.config.host, server.config.port)
    children: list[int] = []
    stopping = False

    def signal_children(sig: int) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, sig)

    def stop_children(sig: int, frame: FrameType | None) -> None:
        # SIGTERM, never SIGINT: a worker takes a second SIGINT as "exit now".
        nonlocal stopping
        stopping = True
        signal_children(signal.SIGTERM)

    handled = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    for index in range(workers):
        if stopping:  # told to stop while worker 0 was starting
            break
        # Blocked around fork: a signal between fork and the worker's own handlers must neither
        # run the parent's handlers in the worker nor be lost for the parent.
        signal.pthread_sigmask(signal.SIG_BLOCK, handled)
        started_read, started_write = os.pipe() if index == 0 else (-1, -1)
        child = os.fork()
        if child == 0:  # a worker: serve until told to stop, never return into the parent's code
            _worker(server, name, listener, index, started_write, on_worker, handled)
        children.append(child)
        if index == 0:
            signal.signal(signal.SIGTERM, stop_children)
            signal.signal(signal.SIGINT, stop_children)
            signal.signal(signal.SIGHUP, lambda sig, frame: signal_children(signal.SIGHUP))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, handled)
        if index == 0:
            os.close(started_write)
            started = _wait_started(started_read)
            os.close(started_read)
            if not started:  # it exited: stopped while starting, or failed to start
                _reap(children, name=name)
                if stopping:
                    raise SystemExit(0)
                logger.error("%s worker 0 did not start: not starting the others", name)
                raise SystemExit(1)
    listener.close()
    logger.info("%s serving with %d worker processes: %s", name, len(children), children)
    failed = _reap(children, on_failure=lambda: stop_children(signal.SIGTERM, None), name=name)
    raise SystemExit(1 if failed else 0)


def _worker(
    server: GracefulServer,
    name: str,
    listener: socket.socket,
    index: int,
    started_write: int,
    on_worker: Callable[[int], None] | None,
    handled: set[signal.Signals],
) -> NoReturn:
    code = 1
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)  # uvicorn installs its own while serving
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, handled)
        if started_write >= 0:

            def started() -> None:
                os.write(started_write, b"1")
                os.close(started_write)

            server.on_started = started
        if on_worker is not None:
            on_worker(index)
        server.run(sockets=[listener])
        code = 0 if server.started else 1
    except SystemExit as exit_:  # uvicorn's "startup failed" (its reason is logged already)
        code = exit_.code if isinstance(exit_.code, int) and exit_.code else 1
    except BaseException:
        logging.getLogger(__name__).exception("%s worker %d failed", name, index)
    finally:
        os._exit(code)


def _wait_started(started_read: int) -> bool:
    """True once the worker wrote its byte; False when it exited (closing the pipe) first."""
    return os.read(started_read, 1) == b"1"


def _reap(
    children: list[int],
    *,
    on_failure: Callable[[], None] | None = None,
    name: str = "",
) -> bool:
    """Wait for every child; True when one exited with a failure (``on_failure`` runs once)."""
    failed = False
    remaining = set(children)
    while remaining:
        child, status = os.wait()
        if child not in remaining:
            continue
        remaining.discard(child)
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and not failed:
            failed = True
            logger.error("%s worker %d exited with code %d", name, child, code)
            if on_failure is not None:
                on_failure()
    return failed


def listening_socket(name: str, host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        print(f"ehb {name}: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        raise SystemExit(1) from None
    listener.set_inheritable(True)
    return listener
