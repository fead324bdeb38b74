"""Active health checks: every ``check_interval_seconds``, a ``GET`` of each instance's check
URL (``http://host:port/health`` by default); a 2xx answer within ``check_timeout_seconds``
passes. Only subgraphs with several instances are checked (see ``router.transport.instances``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from router.instance_settings import InstanceSettings
from router.transport.instances import Instance, InstancePool, SubgraphInstances

logger = logging.getLogger(__name__)


class InstanceHealthChecks:
    """``start`` in the app lifespan, ``close`` on shutdown."""

    def __init__(
        self,
        instances: SubgraphInstances,
        session: aiohttp.ClientSession,
        settings: InstanceSettings,
    ) -> None:
        self._instances = instances
        self._session = session
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="subgraph instance health checks")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def check_all(self) -> None:
        """One round: every instance of every balanced subgraph, concurrently."""
        checks = [
            self._check(pool, instance)
            for pool in self._instances.pools.values()
            if pool.balanced
            for instance in pool.instances
        ]
        if checks:
            await asyncio.gather(*checks)

    async def _run(self) -> None:
        while True:
            try:
                await self.check_all()
            except Exception:  # a bug here must not end the checks for good
                logger.exception("subgraph instance health checks failed")
            await asyncio.sleep(self._settings.check_interval_seconds)

    async def _check(self, pool: InstancePool, instance: Instance) -> None:
        reason = await self._failure(instance)
        was_healthy = instance.healthy
        pool.record_check(instance, reason, self._settings)
        if was_healthy and not instance.healthy:
            logger.warning(
                "subgraph %s instance %s taken out: %s", pool.subgraph, instance.url, reason
            )
        elif instance.healthy and not was_healthy:
            logger.info("subgraph %s instance %s is back", pool.subgraph, instance.url)

    async def _failure(self, instance: Instance) -> str | None:
        """Why the instance failed its check, or None when it passed."""
        timeout = self._settings.check_timeout_seconds
        try:
            async with self._session.get(
                instance.check_url, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"GET {instance.check_url} answered HTTP {response.status}"
        except TimeoutError:
            return f"GET {instance.check_url} got no answer within {timeout:g}s"
        except (aiohttp.ClientError, OSError) as error:
            return f"GET {instance.check_url} failed: {error or type(error).__name__}"
