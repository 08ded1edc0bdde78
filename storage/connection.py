"""The database: one aiosqlite writer with group commit, an inline reader, WAL, migrations.

aiosqlite runs every call as a job on its connection's own thread, and each hop between the event loop
and that thread costs more than the SQL itself. So a transaction is a plain function over the sqlite3
connection, run as ONE job on the writer's thread (`Connection._execute`), and every write waiting at
the same moment shares one BEGIN IMMEDIATE ... COMMIT (group commit): with synchronous=FULL that is one
fsync for the whole group. Each write still gets its own SAVEPOINT, so one failing write never takes the
others with it, and no caller hears "done" before the COMMIT that makes its write durable.

Reads are different: every read the bot makes is an indexed lookup of a few rows (keyset pages, cached
counts) that takes tens of microseconds, less than a single thread hop. They run inline on the event
loop on their own connection; WAL means a reader never waits for the writer. The bench in bench/ shows
the difference. A read that meets a lock (another process checkpointing) waits briefly without
blocking the loop and tries again.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.aiosqlite_internals import on_thread, raw_connection
from storage.schema import MIGRATIONS, SCHEMA_VERSION

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]
log = logging.getLogger("articlebot.storage")

BUSY_TIMEOUT_MS = 5000
LOCKED_GIVE_UP_SECONDS = 60.0  # past SQLite's own busy wait, keep retrying this long before failing
MAX_GROUP = 256
READ_BUSY_MS = 50
READ_MMAP_BYTES = 256 * 1024 * 1024


class SchemaTooNew(RuntimeError):
    pass


def is_lock_error(err: BaseException) -> bool:
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


async def _configure(db: aiosqlite.Connection, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    db.row_factory = sqlite3.Row
    await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA journal_mode = WAL")


def schema_statements(script: str) -> list[str]:
    """A migration script as single statements (sqlite3's executescript would commit the enclosing
    transaction first, and the lock that makes one process the migrator would be gone)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and not pending.strip().startswith("--"):
        statements.append(pending.strip())
    return statements


def _migrate_locked(conn: sqlite3.Connection, target: int) -> int:
    # BEGIN IMMEDIATE takes the write lock before the version is read: of several processes opening a
    # fresh file at once, one migrates and the others wait (busy_timeout), then find nothing left to do
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise SchemaTooNew(f"database schema version {version} is newer than this program ({SCHEMA_VERSION})")
        while version < target:
            for statement in schema_statements(MIGRATIONS[version]):
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return version


def migrate_sync(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """`migrate` for a plain sqlite3 connection in autocommit mode (the `db` commands' own)."""
    return _migrate_locked(conn, target)


async def migrate(db: aiosqlite.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema to `target` in one transaction, by one process at a time. Returns the version."""
    return await on_thread(db, lambda: _migrate_locked(raw_connection(db), target))


def _run_group(conn: sqlite3.Connection, works: list[Work]) -> list[tuple[bool, Any]]:
    conn.execute("BEGIN IMMEDIATE")
    results: list[tuple[bool, Any]] = []
    try:
        if len(works) == 1:  # alone in its group: the transaction itself is its savepoint
            try:
                results.append((True, works[0](conn)))
            except Exception as err:
                conn.execute("ROLLBACK")
                return [(False, err)]
            conn.execute("COMMIT")
            return results
        for work in works:
            conn.execute("SAVEPOINT one_write")
            try:
                value = work(conn)
            except Exception as err:  # this write fails alone; the group goes on
                conn.execute("ROLLBACK TO one_write")
                conn.execute("RELEASE one_write")
                results.append((False, err))
            else:
                conn.execute("RELEASE one_write")
                results.append((True, value))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return results


class Database:
    def __init__(self, writer: aiosqlite.Connection, reader: sqlite3.Connection,
                 give_up_seconds: float = LOCKED_GIVE_UP_SECONDS) -> None:
        self.writer = writer
        self.reader = reader
        self.give_up_seconds = give_up_seconds
        self._queue: asyncio.Queue[tuple[Work, asyncio.Future[Any]]] = asyncio.Queue()
        self._committer: asyncio.Task[None] | None = None
        self.groups = 0  # committed groups, for tests and benchmarks
        self.grouped_writes = 0

    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                   give_up_seconds: float = LOCKED_GIVE_UP_SECONDS) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await _configure(writer, busy_timeout_ms)
            await writer.execute(f"PRAGMA synchronous = {synchronous}")
            await migrate(writer)
            reader = sqlite3.connect(str(path), isolation_level=None)
            reader.row_factory = sqlite3.Row
            reader.execute(f"PRAGMA busy_timeout = {READ_BUSY_MS}")  # short: this one runs on the event loop
            reader.execute("PRAGMA query_only = ON")
            # deep "More" pages of a big chat touch index pages SQLite's default 2 MB cache has dropped;
            # memory-mapped reads serve them straight from the OS page cache
            reader.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
        except BaseException:
            await writer.close()
            raise
        return cls(writer, reader, give_up_seconds)

    async def close(self) -> None:
        if self._committer is not None:
            await self._queue.join()  # every accepted write is committed before we close
            self._committer.cancel()
            await asyncio.gather(self._committer, return_exceptions=True)
            self._committer = None
        self.reader.close()
        await self.writer.close()

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Runs `work` in a committed transaction (shared with concurrent writes); returns its result."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((work, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_loop(), name="sqlite-group-commit")
        return await future

    async def read(self, work: Callable[[sqlite3.Connection], T], *, snapshot: bool = True) -> T:
        """Runs `work` on the reader connection, inline (see the module docstring for why), in one read
        transaction: its queries see one snapshot, and the WAL is looked up once rather than per query.
        A `work` of a single statement passes snapshot=False: a statement is its own snapshot."""
        deadline = time.monotonic() + self.give_up_seconds
        delay = 0.01
        reader = self.reader
        while True:
            try:
                if not snapshot:
                    return work(reader)
                reader.execute("BEGIN")
                try:
                    return work(reader)
                finally:
                    reader.execute("COMMIT")  # ends a read-only transaction; nothing to write
            except sqlite3.OperationalError as err:
                if not is_lock_error(err) or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        return await self.read(lambda c: c.execute(sql, params).fetchall(), snapshot=False)

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Row | None:
        return await self.read(lambda c: c.execute(sql, params).fetchone(), snapshot=False)

    async def _commit_loop(self) -> None:
        while True:
            first = await self._queue.get()
            group = [first]
            while not self._queue.empty() and len(group) < MAX_GROUP:
                group.append(self._queue.get_nowait())
            try:
                await self._commit(group)
            finally:
                for _ in group:
                    self._queue.task_done()

    async def _commit(self, group: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        works = [work for work, _ in group]
        conn = self.writer
        deadline = time.monotonic() + self.give_up_seconds
        delay = 0.05
        warned = False
        while True:
            try:
                results = await on_thread(conn, lambda: _run_group(raw_connection(conn), works))
                break
            except Exception as err:
                # Another process holding the database (a backup, an operator's sqlite3 shell) makes SQLite
                # wait busy_timeout; past that we retry the whole group with backoff until give_up_seconds,
                # so a locked database delays writes instead of losing them.
                if is_lock_error(err) and time.monotonic() < deadline:
                    if not warned:
                        log.warning("database is locked by another process; retrying for up to %.0f s",
                                    self.give_up_seconds)
                        warned = True
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                for _, future in group:
                    if not future.done():
                        future.set_exception(err)
                return
        self.groups += 1
        self.grouped_writes += len(group)
        for (ok, value), (_, future) in zip(results, group, strict=True):
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

