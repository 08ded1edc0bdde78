"""Caches kept right across a fleet: every process sharing the database hears, by PostgreSQL's LISTEN/NOTIFY,
what another one changed (a chat's article, a reader's place, a language, an article re-imported) and drops
what it kept of it. While the listening connection is down, nothing cached is trusted; when it comes back,
everything is read afresh."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable

import psycopg

log = logging.getLogger("articlebot.storage")

CHANNEL = "articlebot_cache"
RECONNECT_SECONDS = 1.0
PAYLOAD_LIMIT = 7000  # bytes of one notification (PostgreSQL allows 8000)
SEPARATOR = "\x1f"  # between the keys of one notification: never in a chat or user key


class CacheListener:
    def __init__(self, url: str, drop: Callable[[str, list[str]], None], drop_all: Callable[[], None]) -> None:
        self.url = url
        self.drop = drop
        self.drop_all = drop_all
        self.me = secrets.token_hex(6)  # this process's own notifications are not news to it
        self.listening = asyncio.Event()  # set while caches may be trusted
        self.heard = 0  # notifications from others acted on (tests wait on it)
        self._task: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="articlebot-cache-listener")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()

    def payloads(self, kind: str, keys: list[str]) -> list[str]:
        """What to NOTIFY for `keys` of `kind`, split to fit PostgreSQL's limit."""
        out: list[str] = []
        chunk: list[str] = []
        size = 0
        for key in keys:
            if chunk and size + len(key.encode()) > PAYLOAD_LIMIT:
                out.append(SEPARATOR.join([self.me, kind, *chunk]))
                chunk, size = [], 0
            chunk.append(key)
            size += len(key.encode()) + 1
        out.append(SEPARATOR.join([self.me, kind, *chunk]))
        return out

    async def _listen(self) -> None:
        while True:
            try:
                self._conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
                await self._conn.execute(f"LISTEN {CHANNEL}")
                self.drop_all()  # whatever changed while nobody listened
                self.listening.set()
                async for note in self._conn.notifies():
                    self._heard(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.warning("the cache listener's connection ended (%s); trusting no cache until it is back",
                            type(err).__name__)
            finally:
                self.listening.clear()
                self.drop_all()
                if self._conn is not None:
                    with contextlib.suppress(Exception):
                        await self._conn.close()
                    self._conn = None
            await asyncio.sleep(RECONNECT_SECONDS)

    def _heard(self, payload: str) -> None:
        sender, _, rest = payload.partition(SEPARATOR)
        if sender == self.me:
            return
        kind, _, keys = rest.partition(SEPARATOR)
        self.drop(kind, keys.split(SEPARATOR) if keys else [])
        self.heard += 1
