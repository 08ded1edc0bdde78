"""Writes that may trail their answer: where each reader is, and what each sent message shows.

Losing the last fraction of a second of these in a crash costs nothing that matters (a reader's place in
the article; a reply to a message sent just before the crash is not taken as a comment). So instead of a
transaction each, they are kept in memory, where reads see them at once, and committed together every
FLUSH_SECONDS: one transaction for a whole burst instead of one per answer. Comments, moderation and
everything else stay synchronous: they are committed before the bot answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.records import Position
from bot.types import Anchor

log = logging.getLogger("articlebot.storage")

FLUSH_SECONDS = 0.05
RETRY_LIMIT_SECONDS = 5.0

Positions = dict[tuple[str, str], Position]
Anchors = dict[tuple[str, str], Anchor]
# each store's one transaction that writes a batch (upserts: the newest value of each key wins)
Save = Callable[[Positions, Anchors], Awaitable[None]]


class WriteBehind:
    def __init__(self, save: Save, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.save = save
        self.flush_seconds = flush_seconds
        self.positions: Positions = {}
        self.anchors: Anchors = {}
        self._task: asyncio.Task[None] | None = None

    def set_position(self, chat_key: str, user_key: str, position: Position) -> None:
        self.positions[(chat_key, user_key)] = position
        self._schedule()

    def save_anchor(self, chat_key: str, message_id: str, anchor: Anchor) -> None:
        self.anchors[(chat_key, message_id)] = anchor
        self._schedule()

    def _schedule(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="write-behind")

    async def _run(self) -> None:
        delay = self.flush_seconds
        while self.positions or self.anchors:
            await asyncio.sleep(delay)
            delay = self.flush_seconds if await self.flush() else min(delay * 2, RETRY_LIMIT_SECONDS)

    async def flush(self) -> bool:
        """Commits everything pending; True when it worked (what failed stays pending for the next try)."""
        positions, anchors = dict(self.positions), dict(self.anchors)
        if not positions and not anchors:
            return True
        try:
            await self.save(positions, anchors)
        except Exception:
            log.exception("could not save %d reading positions and %d message anchors; will retry",
                          len(positions), len(anchors))
            return False
        for key, position in positions.items():
            if self.positions.get(key) is position:  # not replaced while the write was on its way
                del self.positions[key]
        for key, anchor in anchors.items():
            if self.anchors.get(key) is anchor:
                del self.anchors[key]
        return True

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.flush()
