"""Runs every adapter whose token is set, until a signal or until one of them stops for good."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from adapters.base import Adapter
from articlebot.settings import Settings
from bot.core import Core
from bot.ports import Inbox

log = logging.getLogger("articlebot.runner")
GC_THRESHOLD = 10_000  # CPython's default is 700 allocations between young collections


def build_adapters(core: Core, settings: Settings, inbox: Inbox, *, webhook_url: str | None, listen: str | None,
                   port: int | None) -> list[Adapter]:
    adapters: list[Adapter] = []
    # each platform library is imported only when its token is set, so the other costs nothing at start
    if settings.telegram_bot_token is not None:
        from adapters.telegram.app import TelegramAdapter

        adapters.append(TelegramAdapter(core, settings, inbox, webhook_url=webhook_url, listen=listen, port=port))
    if settings.discord_bot_token is not None:
        from adapters.discord.app import DiscordAdapter

        adapters.append(DiscordAdapter(core, settings))
    return adapters


def settle_garbage_collector() -> None:
    """Everything alive once the adapters have started (modules, the platform libraries' caches, the
    article) lives until exit: frozen, the collector stops re-scanning it on every full collection, and a
    higher first threshold makes the short-lived objects of each message cost fewer collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


async def run_adapters(core: Core, settings: Settings, inbox: Inbox, *, webhook_url: str | None = None,
                       listen: str | None = None, port: int | None = None) -> None:
    adapters = build_adapters(core, settings, inbox, webhook_url=webhook_url, listen=listen, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    started: list[Adapter] = []
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter is serving", adapter.name)
        settle_garbage_collector()
        waiters = [asyncio.ensure_future(a.wait_closed()) for a in started]
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait([stopper, *waiters], return_when=asyncio.FIRST_COMPLETED)
        for task in (stopper, *waiters):
            task.cancel()
    finally:
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("%s adapter did not stop cleanly", adapter.name)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
