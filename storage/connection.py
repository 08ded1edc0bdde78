"""Opening the database: one writer connection, one reader, WAL, migrations."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.schema import MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")
log = logging.getLogger("articlebot.storage")

BUSY_TIMEOUT_MS = 5000
LOCKED_GIVE_UP_SECONDS = 60.0  # past SQLite's own busy wait, keep retrying this long before failing


def is_lock_error(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class SchemaTooNew(RuntimeError):
    pass


async def _configure(db: aiosqlite.Connection, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    db.row_factory = sqlite3.Row
    await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    await db.execute("PRAGMA foreign_keys = ON")
    # WAL + NORMAL is durable against process crashes (what we promise); FULL adds an fsync per commit
    # that only matters for power loss, which is why it is a setting rather than hard-coded.
    await db.execute("PRAGMA journal_mode = WAL")


async def migrate(db: aiosqlite.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema to `target`, one migration per transaction. Returns the version reached."""
    async with db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    version = int(row[0]) if row else 0
    if version > len(MIGRATIONS):
        raise SchemaTooNew(f"database schema version {version} is newer than this program ({SCHEMA_VERSION})")
    while version < target:
        script = MIGRATIONS[version]
        version += 1
        # executescript commits on its own; the version bump rides inside the same script so a crash
        # between the two cannot leave a half-applied migration marked as done
        await db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    return version


class Database:
    """A writer connection serialised by a lock and a separate reader connection (WAL lets both run)."""

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 give_up_seconds: float = LOCKED_GIVE_UP_SECONDS) -> None:
        self.writer = writer
        self.reader = reader
        self.give_up_seconds = give_up_seconds
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                   give_up_seconds: float = LOCKED_GIVE_UP_SECONDS) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await _configure(writer, busy_timeout_ms)
            await writer.execute(f"PRAGMA synchronous = {synchronous}")
            await migrate(writer)
            reader = await aiosqlite.connect(str(path), isolation_level=None)
            await _configure(reader, busy_timeout_ms)
            await reader.execute("PRAGMA query_only = ON")
        except BaseException:
            await writer.close()
            raise
        return cls(writer, reader, give_up_seconds)

    async def close(self) -> None:
        await self.reader.close()
        await self.writer.close()

    async def transaction(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` inside BEGIN IMMEDIATE ... COMMIT on the writer; roll back on any error.

        Another process holding the database (a backup, a migration, an operator's sqlite3 shell) makes
        SQLite wait `busy_timeout`; past that we keep retrying the whole transaction, with backoff, for
        `give_up_seconds`, so a locked database delays a comment instead of losing it.
        """
        deadline = time.monotonic() + self.give_up_seconds
        delay = 0.05
        warned = False
        while True:
            try:
                return await self._attempt(work)
            except sqlite3.OperationalError as err:
                if not is_lock_error(err) or time.monotonic() > deadline:
                    raise
                if not warned:
                    log.warning("database is locked by another process; retrying for up to %.0f s",
                                self.give_up_seconds)
                    warned = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _attempt(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        async with self._lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                result = await work(self.writer)
                await self.writer.execute("COMMIT")
            except BaseException:
                if self.writer.in_transaction:
                    await self.writer.execute("ROLLBACK")
                raise
            return result

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        async with self.reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Row | None:
        async with self.reader.execute(sql, params) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row
