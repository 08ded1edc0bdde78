"""The loop that polls followed feeds while the bot runs, and says their new posts through whichever adapter
serves the chat's platform."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable

from adapters.base import Adapter
from bot.feeds import FeedPoller
from bot.types import Reply

log = logging.getLogger("articlebot.feeds")
TICK_SECONDS = 30.0  # how often due feeds are looked for (each feed is polled every FEED_POLL_SECONDS)


def poller_name() -> str:
    """Who holds a feed's claim: this host and process, and a run id (a pid is reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class AnnouncementRouter:
    """Sends an announcement through the adapter serving its chat's platform (the current one: a
    restarted adapter is a new object)."""

    def __init__(self, adapters: Callable[[], Iterable[Adapter]]) -> None:
        self.adapters = adapters

    async def announce(self, chat_key: str, reply: Reply) -> bool:
        platform = chat_key.split(":", 1)[0]
        for adapter in self.adapters():
            if adapter.name == platform:
                return await adapter.announce(chat_key, reply)
        log.info("no %s adapter runs here: a feed post for %s waits for one", platform, chat_key)
        return False


async def poll_feeds(poller: FeedPoller, stop: asyncio.Event, every: float) -> None:
    while not stop.is_set():
        try:
            await poller.poll_due()
        except Exception:  # the store was unreachable, say: try again next round
            log.exception("polling feeds failed; trying again in %.0f s", every)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(every):
                await stop.wait()
