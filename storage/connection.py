"""Opening the database: one writer connection, one reader, WAL, migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.schema import MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


class SchemaTooNew(RuntimeError):
    pass


async def _configure(db: aiosqlite.Connection) -> None:
    db.row_factory = sqlite3.Row
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.writer = writer
        self.reader = reader
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL") -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await _configure(writer)
            await writer.execute(f"PRAGMA synchronous = {synchronous}")
            await migrate(writer)
            reader = await aiosqlite.connect(str(path), isolation_level=None)
            await _configure(reader)
            await reader.execute("PRAGMA query_only = ON")
        except BaseException:
            await writer.close()
            raise
        return cls(writer, reader)

    async def close(self) -> None:
        await self.reader.close()
        await self.writer.close()

    async def transaction(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` inside BEGIN IMMEDIATE ... COMMIT on the writer; roll back on any error."""
        async with self._lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                result = await work(self.writer)
            except BaseException:
                await self.writer.execute("ROLLBACK")
                raise
            await self.writer.execute("COMMIT")
            return result

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        async with self.reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Row | None:
        async with self.reader.execute(sql, params) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row
