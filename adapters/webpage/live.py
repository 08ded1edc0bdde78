"""Live pages: one watcher per discussion in this process asks the store what changed, a few times a second,
while someone is looking, and hands each change to every page open on that discussion. Comments written by
any process of a fleet are seen, since the store is shared and the moments are the database's clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bot.ports import CHANGE_OVERLAP_SECONDS, WebPages
from bot.records import Comment

log = logging.getLogger("articlebot.webpage")

POLL_SECONDS = 0.3  # a new comment is on every open page well within a second
BATCH = 500  # changes read per query; a busier moment is read in several
QUEUE_LIMIT = 1000  # batches a slow page may fall behind by before it is closed (it reconnects and catches up)

Change = tuple[Comment, float]


@dataclass
class Watcher:
    discussion: str
    cursor: float | None  # None until its task has read where the discussion's changes stand
    queues: set[asyncio.Queue[list[Change] | None]] = field(default_factory=set)
    seen: dict[int, float] = field(default_factory=dict)  # comment id → the change last handed out
    task: asyncio.Task[None] | None = None


class LiveDiscussions:
    def __init__(self, store: WebPages, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self.watchers: dict[str, Watcher] = {}

    @contextlib.asynccontextmanager
    async def subscribe(self, discussion: str, since: float) -> AsyncIterator[asyncio.Queue[list[Change] | None]]:
        """A queue of batches of changes after `since` (some perhaps twice; the newest state always last).
        None in the queue means the page fell too far behind."""
        queue: asyncio.Queue[list[Change] | None] = asyncio.Queue(QUEUE_LIMIT)
        watcher = self.watchers.get(discussion)
        if watcher is None:  # made and registered with no await between: pages opening at once share it
            watcher = self.watchers[discussion] = Watcher(discussion, None)
            watcher.task = asyncio.create_task(self._watch(watcher), name=f"articlebot-web-{len(self.watchers)}")
        watcher.queues.add(queue)
        try:
            # registered first, then caught up: what changes meanwhile comes by both ways rather than neither
            await self._catch_up(queue, discussion, since)
            yield queue
        finally:
            watcher.queues.discard(queue)
            if not watcher.queues:
                if self.watchers.get(discussion) is watcher:
                    del self.watchers[discussion]
                if watcher.task is not None:
                    watcher.task.cancel()

    async def close(self) -> None:
        tasks = [w.task for w in self.watchers.values() if w.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.watchers.clear()

    async def _changes(self, discussion: str, since: float) -> AsyncIterator[list[Change]]:
        """What changed after `since` (and the overlap before it), a batch at a time."""
        after = since - CHANGE_OVERLAP_SECONDS
        while True:
            changes = await self.store.comment_changes(discussion, after, BATCH)
            yield changes
            if len(changes) < BATCH:
                return
            after = changes[-1][1]

    async def _catch_up(self, queue: asyncio.Queue[list[Change] | None], discussion: str, since: float) -> None:
        async for changes in self._changes(discussion, since):
            if changes:
                queue.put_nowait(changes)

    async def _watch(self, watcher: Watcher) -> None:
        while True:
            try:
                await self._poll(watcher)
            except asyncio.CancelledError:
                raise
            except Exception:
                # a store that fails now may answer next time; the pages keep their connections meanwhile
                log.exception("reading the changes of a discussion for its web pages failed")
            await asyncio.sleep(self.poll_seconds)

    async def _poll(self, watcher: Watcher) -> None:
        if watcher.cursor is None:
            watcher.cursor = await self.store.latest_change(watcher.discussion)
        async for changes in self._changes(watcher.discussion, watcher.cursor):
            fresh = [(c, at) for c, at in changes if watcher.seen.get(c.id) != at]
            for comment, at in fresh:
                watcher.seen[comment.id] = at
            if changes:
                watcher.cursor = max(watcher.cursor, changes[-1][1])
            horizon = watcher.cursor - CHANGE_OVERLAP_SECONDS
            for comment_id in [i for i, at in watcher.seen.items() if at < horizon]:
                del watcher.seen[comment_id]
            if fresh:
                for queue in list(watcher.queues):
                    try:
                        queue.put_nowait(fresh)
                    except asyncio.QueueFull:
                        watcher.queues.discard(queue)
                        with contextlib.suppress(asyncio.QueueEmpty):
                            queue.get_nowait()
                        queue.put_nowait(None)
