"""`GET /healthz` for a supervisor or a load balancer: each adapter's state and the store's as JSON, 200 when
the store answers and every adapter is serving (its platform connection up), 503 otherwise; and `GET /metrics`
in Prometheus' text format. Served on HEALTH_LISTEN:HEALTH_PORT when HEALTH_PORT is set."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from adapters.metrics import CONTENT_TYPE, metrics
from bot.ports import Inbox

log = logging.getLogger("articlebot.health")
Report = Callable[[], dict[str, dict[str, Any]]]
STORE_TIMEOUT = 2.0  # a store that takes longer to count the inbox is reported down
PLATFORMS = ("telegram", "discord")


class HealthServer:
    def __init__(self, report: Report, *, listen: str, port: int, store: Inbox | None = None) -> None:
        self.report = report
        self.store = store
        self.listen = listen
        self.port = port
        self.bound_port: int | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        self.bound_port = self._runner.addresses[0][1] if self._runner.addresses else self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _backlogs(self) -> dict[str, int] | None:
        """Each platform's inbox backlog; None when the store does not answer."""
        if self.store is None:
            return {}
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                return {platform: await self.store.inbox_backlog(platform) for platform in PLATFORMS}
        except Exception as err:
            log.warning("the store did not answer the health check (%s)", type(err).__name__)
            return None

    async def _healthz(self, request: web.Request) -> web.Response:
        adapters = self.report()
        store_up = await self._backlogs() is not None
        healthy = store_up and bool(adapters) and all(a["state"] == "serving" for a in adapters.values())
        return web.json_response({"healthy": healthy, "store": "up" if store_up else "down", "adapters": adapters},
                                 status=200 if healthy else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        backlogs = await self._backlogs() or {}
        return web.Response(body=metrics().render(backlogs), headers={"Content-Type": CONTENT_TYPE})
