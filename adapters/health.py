"""`GET /healthz` for a supervisor or a load balancer: each adapter's state as JSON, 200 when every adapter
is serving and 503 otherwise. Served on HEALTH_LISTEN:HEALTH_PORT when HEALTH_PORT is set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

Report = Callable[[], dict[str, dict[str, Any]]]


class HealthServer:
    def __init__(self, report: Report, *, listen: str, port: int) -> None:
        self.report = report
        self.listen = listen
        self.port = port
        self.bound_port: int | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        self.bound_port = self._runner.addresses[0][1] if self._runner.addresses else self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        adapters = self.report()
        healthy = bool(adapters) and all(a["state"] == "serving" for a in adapters.values())
        return web.json_response({"healthy": healthy, "adapters": adapters}, status=200 if healthy else 503)
