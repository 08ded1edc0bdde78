"""One psycopg connection pool per process, in autocommit mode.

Most of the store's writes are one statement each (data-modifying CTEs do in one round trip what SQLite does
in several calls), and in autocommit a statement is its own transaction: no BEGIN and COMMIT round trips.
The few writes that need several statements run in `transaction`, which retries the whole function when
PostgreSQL picks it as a deadlock victim or cannot serialize it, since nothing of it was kept."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool

from storage.postgres import migrate

T = TypeVar("T")
Conn = psycopg.AsyncConnection[Any]
log = logging.getLogger("articlebot.storage")

POOL_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10
POOL_WAIT_SECONDS = 30.0
RETRIES = 5  # deadlock or serialization failure: the transaction is run again, this many times at most
RETRYABLE = (errors.DeadlockDetected, errors.SerializationFailure)


class PgDatabase:
    def __init__(self, pool: AsyncConnectionPool[Conn]) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE, wait_seconds: float = POOL_WAIT_SECONDS,
                   ) -> PgDatabase:
        await migrate(url)  # before the pool: the schema is there when the first query runs
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            url, min_size=1, max_size=max(1, pool_size), open=False, timeout=wait_seconds, name="articlebot",
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_SECONDS})
        await pool.open(wait=True, timeout=wait_seconds)
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchall()

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
                       ) -> tuple[Any, ...] | None:
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchone()

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> int:
        """One statement, committed when this returns; the number of rows it changed."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, params)
            return cur.rowcount

    async def transaction(self, work: Callable[[Conn], Awaitable[T]]) -> T:
        """Runs `work` in one committed transaction; returns its result."""
        for attempt in range(RETRIES + 1):
            try:
                async with self.pool.connection() as conn, conn.transaction():
                    return await work(conn)
            except RETRYABLE:
                if attempt == RETRIES:
                    raise
                await asyncio.sleep(0.005 * 2**attempt)
        raise AssertionError("unreachable")


async def one(conn: Conn, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> tuple[Any, ...] | None:
    cur = await conn.execute(sql, params)
    return await cur.fetchone()
