"""Telegram's limits for a whole fleet: about 30 messages a second per bot and 20 a minute per group, whichever
process sends them. python-telegram-bot asks its rate limiter before every request; this one asks the shared
database (a GCRA reservation, one statement) and waits as long as it says."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from adapters.metrics import metrics
from bot.ports import Inbox

# requests that send a message to a chat (what Telegram's limits count)
SENDING = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage"})


class FleetRateLimiter(BaseRateLimiter[None]):
    def __init__(self, limits: Inbox, *, per_second: float, group_per_minute: float) -> None:
        self.limits = limits
        self.interval = 1.0 / per_second
        self.group_interval = 60.0 / group_per_minute

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any]
                                                                       | list[dict[str, Any]]]],
                              args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: None) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in SENDING:
            chat = data.get("chat_id")
            waits = [await self.limits.reserve("telegram:bot", self.interval, 1, time.time())]
            if isinstance(chat, int) and chat < 0:  # a group or channel
                waits.append(await self.limits.reserve(f"telegram:{chat}", self.group_interval, 1, time.time()))
            wait = max(waits)
            if wait > 0:
                metrics().rate_limited("telegram")
                await asyncio.sleep(wait)
        return await callback(*args, **kwargs)
