"""The loop that polls followed feeds while the bot runs, and says their new posts through whichever adapter
serves the chat's platform."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable

from adapters.base import Adapter
from bot.digests import DigestSender
from bot.feeds import FeedPoller
from bot.mirror import MirrorSender
from bot.modqueue import ModQueueSender
from bot.types import Reply, Sent

log = logging.getLogger("articlebot.feeds")
TICK_SECONDS = 30.0  # how often due feeds are looked for (each feed is polled every FEED_POLL_SECONDS)
DIGEST_TICK_SECONDS = 10.0  # how often subscription messages are looked for (each person gets one a minute)
# how often the mod queue is looked at for what other processes queued (this process's own wake it at once)
MODQUEUE_TICK_SECONDS = 5.0
MIRROR_TICK_SECONDS = 1.0  # a comment reaches the mirroring rooms about this soon (or GAP_SECONDS when busy)


def poller_name() -> str:
    """Who holds a feed's claim: this host and process, and a run id (a pid is reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class AnnouncementRouter:
    """Sends an announcement through the adapter serving its chat's platform (the current one: a
    restarted adapter is a new object)."""

    def __init__(self, adapters: Callable[[], Iterable[Adapter]]) -> None:
        self.adapters = adapters

    def _serving(self, key: str) -> Adapter | None:
        platform = key.split(":", 1)[0]
        return next((adapter for adapter in self.adapters() if adapter.name == platform), None)

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        adapter = self._serving(chat_key)
        if adapter is None:
            log.info("no adapter for %s runs here: an announcement there is not sent", chat_key)
            return None
        return await adapter.announce(chat_key, reply)

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        adapter = self._serving(user_key)
        return None if adapter is None else await adapter.announce_privately(user_key, reply)

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        adapter = self._serving(sent.chat_key)
        return False if adapter is None else await adapter.edit(sent, reply)

    def start_link(self, user_key: str) -> str | None:
        adapter = self._serving(user_key)
        return None if adapter is None else adapter.start_link(user_key)


async def poll_feeds(poller: FeedPoller, stop: asyncio.Event, every: float) -> None:
    await repeat(poller.poll_due, "polling feeds", stop, every)


async def send_digests(sender: DigestSender, stop: asyncio.Event, every: float = DIGEST_TICK_SECONDS) -> None:
    await repeat(sender.send_due, "sending subscription messages", stop, every)


async def send_modqueue(sender: ModQueueSender, stop: asyncio.Event, wake: asyncio.Event,
                        every: float = MODQUEUE_TICK_SECONDS) -> None:
    await repeat(sender.send_due, "sending the mod queue", stop, every, wake)


async def send_mirrors(sender: MirrorSender, stop: asyncio.Event, every: float = MIRROR_TICK_SECONDS) -> None:
    await repeat(sender.send_due, "mirroring comments", stop, every)


async def repeat(work: Callable[[], Awaitable[int]], what: str, stop: asyncio.Event, every: float,
                 wake: asyncio.Event | None = None) -> None:
    """`work` every `every` seconds until `stop`, and at once whenever `wake` is set."""
    while not stop.is_set():
        if wake is not None:
            wake.clear()
        try:
            await work()
        except Exception:  # the store was unreachable, say: try again next round
            log.exception("%s failed; trying again in %.0f s", what, every)
        waits = [asyncio.ensure_future(stop.wait())]
        if wake is not None:
            waits.append(asyncio.ensure_future(wake.wait()))
        try:
            await asyncio.wait(waits, timeout=every, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
