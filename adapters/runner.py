"""Runs every adapter whose token is set until a signal. An adapter that stops on its own (its connection
ended for good, a start that failed) is started afresh with growing pauses while the others keep serving;
only when one fails `restart_limit` times within `restart_window` seconds does the runner give up, stop
everything and raise `AdaptersGaveUp`, so the process exits non-zero and a supervisor sees a failure."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from adapters.base import Adapter, AdapterStartError
from articlebot.settings import Settings
from bot.core import Core
from bot.ports import Inbox

log = logging.getLogger("articlebot.runner")
GC_THRESHOLD = 10_000  # CPython's default is 700 allocations between young collections
MAX_RESTART_DELAY = 60.0
HEALTHY_AFTER = 60.0  # an adapter that served this long has recovered: its next failure starts the pauses over

AdapterFactory = Callable[[], Adapter]


class AdaptersGaveUp(RuntimeError):
    """An adapter kept failing; the message says which and how often."""


@dataclass(frozen=True)
class RestartPolicy:
    limit: int = 5
    window: float = 300.0
    first_delay: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RestartPolicy:
        return cls(settings.adapter_restart_limit, settings.adapter_restart_window_seconds,
                   settings.adapter_restart_delay_seconds)


def build_adapters(core: Core, settings: Settings, inbox: Inbox, *, webhook_url: str | None, listen: str | None,
                   port: int | None) -> list[AdapterFactory]:
    """One factory per platform: a restart gets a fresh adapter, never a half-closed one."""
    factories: list[AdapterFactory] = []
    # each platform library is imported only when its token is set, so the other costs nothing at start
    if settings.telegram_bot_token is not None:
        from adapters.telegram.app import TelegramAdapter

        factories.append(lambda: TelegramAdapter(core, settings, inbox, webhook_url=webhook_url, listen=listen,
                                                 port=port))
    if settings.discord_bot_token is not None:
        from adapters.discord.app import DiscordAdapter

        factories.append(lambda: DiscordAdapter(core, settings, inbox=inbox))
    return factories


def settle_garbage_collector() -> None:
    """Everything alive once the adapters have started (modules, the platform libraries' caches, the
    article) lives until exit: frozen, the collector stops re-scanning it on every full collection, and a
    higher first threshold makes the short-lived objects of each message cost fewer collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


async def _stop_quietly(adapter: Adapter) -> None:
    try:
        await adapter.stop()
    except Exception:
        log.exception("%s adapter did not stop cleanly", adapter.name)


class Supervised:
    """One platform's adapter, kept serving."""

    def __init__(self, factory: AdapterFactory, policy: RestartPolicy, stop: asyncio.Event) -> None:
        self.factory = factory
        self.policy = policy
        self.stop = stop
        self.adapter = factory()
        self.name = self.adapter.name
        self.failures: deque[float] = deque()
        self.restarts = 0
        self.state = "starting"  # serving, restarting, stopped: what /healthz reports

    async def first_start(self) -> None:
        """A refused token or a failing first start ends the run at once: nothing to wait out."""
        try:
            await self.adapter.start()
        except BaseException:
            await _stop_quietly(self.adapter)
            raise
        self.state = "serving"
        log.info("%s adapter is serving", self.name)

    def health(self) -> dict[str, object]:
        return {"state": self.state, "restarts": self.restarts, "recent_failures": len(self.failures)}

    async def keep_serving(self) -> None:
        loop = asyncio.get_running_loop()
        delay = self.policy.first_delay
        serving_since = loop.time()
        while True:
            await self._until_closed_or_stopped(self.adapter)
            self.state = "restarting"
            await _stop_quietly(self.adapter)
            if self.stop.is_set():
                self.state = "stopped"
                return
            now = loop.time()
            if now - serving_since >= HEALTHY_AFTER:
                delay = self.policy.first_delay
            self._count_failure(now)
            log.error("the %s adapter stopped on its own; starting it again in %.1f s", self.name, delay)
            while True:
                if await self._pause(delay):
                    return
                delay = min(delay * 2, MAX_RESTART_DELAY)
                self.adapter = self.factory()
                try:
                    await self.adapter.start()
                except AdapterStartError as err:
                    log.error("%s", err)
                except Exception:
                    log.exception("the %s adapter could not start again", self.name)
                else:
                    self.restarts += 1
                    self.state = "serving"
                    serving_since = loop.time()
                    log.info("%s adapter is serving again (restart %d)", self.name, self.restarts)
                    break
                await _stop_quietly(self.adapter)
                self._count_failure(loop.time())
                log.error("starting the %s adapter again in %.1f s", self.name, delay)

    def _count_failure(self, now: float) -> None:
        self.failures.append(now)
        while self.failures and now - self.failures[0] > self.policy.window:
            self.failures.popleft()
        if len(self.failures) >= self.policy.limit:
            self.state = "stopped"
            raise AdaptersGaveUp(f"the {self.name} adapter failed {len(self.failures)} times within "
                                 f"{self.policy.window:g} seconds; giving up (see the errors above)")

    async def _until_closed_or_stopped(self, adapter: Adapter) -> None:
        closed = asyncio.ensure_future(adapter.wait_closed())
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait([closed, stopped], return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            stopped.cancel()

    async def _pause(self, seconds: float) -> bool:
        """Sleeps, unless asked to stop first; True when asked to stop."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.stop.wait()
        return self.stop.is_set()


async def run_adapters(core: Core, settings: Settings, inbox: Inbox, *, webhook_url: str | None = None,
                       listen: str | None = None, port: int | None = None,
                       policy: RestartPolicy | None = None) -> None:
    factories = build_adapters(core, settings, inbox, webhook_url=webhook_url, listen=listen, port=port)
    if settings.health_port is not None:
        from adapters.metrics import metrics

        core.services.observe = metrics().observe
    policy = policy or RestartPolicy.from_settings(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    started: list[Supervised] = []
    starting: list[Supervised] = []  # reported from the first moment, "starting" until it serves
    keepers: list[asyncio.Task[None]] = []
    feeds: asyncio.Task[None] | None = None
    digests: asyncio.Task[None] | None = None
    modqueue: asyncio.Task[None] | None = None
    mirrors: asyncio.Task[None] | None = None
    health = None
    pages = None
    try:
        if settings.health_port is not None:
            from adapters.health import HealthServer

            health = HealthServer(lambda: {s.name: s.health() for s in starting}, listen=settings.health_listen,
                                  port=settings.health_port, store=inbox)
            await health.start()
            log.info("health report on http://%s:%s/healthz", settings.health_listen, health.bound_port)
        if settings.web_port is not None:
            from adapters.webpage.server import WebPageServer

            pages = WebPageServer(core.store, listen=settings.web_listen, port=settings.web_port)
            await pages.start()
        for factory in factories:
            supervised = Supervised(factory, policy, stop)
            starting.append(supervised)
            await supervised.first_start()
            started.append(supervised)
        from adapters.feedloop import (
            TICK_SECONDS,
            AnnouncementRouter,
            poll_feeds,
            poller_name,
            send_digests,
            send_mirrors,
            send_modqueue,
        )
        from bot.digests import DigestSender
        from bot.feeds import FeedPoller
        from bot.mirror import MirrorSender
        from bot.modqueue import ModQueueSender

        settle_garbage_collector()
        keepers = [asyncio.create_task(s.keep_serving(), name=f"articlebot-keep-{s.name}") for s in started]
        router = AnnouncementRouter(lambda: [s.adapter for s in started if s.state == "serving"])
        feeds = asyncio.create_task(poll_feeds(FeedPoller(core.services, router, holder=poller_name()), stop,
                                               min(settings.feed_poll_seconds, TICK_SECONDS)),
                                    name="articlebot-feeds")
        digests = asyncio.create_task(send_digests(DigestSender(core.services, router), stop),
                                      name="articlebot-digests")
        wake = asyncio.Event()
        core.services.nudge = wake.set
        modqueue = asyncio.create_task(send_modqueue(ModQueueSender(core.services, router, poller_name()), stop,
                                                     wake), name="articlebot-modqueue")
        mirrors = asyncio.create_task(send_mirrors(MirrorSender(core.services, router, poller_name()), stop),
                                      name="articlebot-mirrors")
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait([stopper, *keepers], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        stop.set()  # one gave up, or a signal came: either way every adapter stops now
        for keeper in keepers:
            if keeper.done() and not keeper.cancelled() and keeper.exception() is not None:
                raise keeper.exception()  # type: ignore[misc]
    finally:
        stop.set()
        # cancelled together, with no await before: a keeper that saw the stop first would begin stopping its
        # adapter, and be cancelled half way through that
        loose = [*keepers, *(task for task in (feeds, digests, modqueue, mirrors) if task is not None)]
        for task in loose:
            # a keeper may be inside an adapter's start(), which a stop request cannot interrupt: cancelled,
            # and the adapter it was starting is stopped below like the others
            task.cancel()
        await asyncio.gather(*loose, return_exceptions=True)
        for supervised in reversed(started):
            await _stop_quietly(supervised.adapter)
        if pages is not None:
            await pages.stop()
        if health is not None:
            await health.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
