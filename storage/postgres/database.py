"""One pool of psycopg connections per process, in autocommit mode.

The pool is a few lines of our own rather than psycopg_pool: on the write benchmark (bench/postgres.py) its
checkout took a fifth of the client's CPU, and the store with this one wrote 1.46 times as many comments a
second. It opens connections as they are needed up to `pool_size`, hands an idle one out without awaiting,
and drops one that broke (a restarted server) instead of handing it out again.

Most of the store's writes are one statement each (data-modifying CTEs do in one round trip what SQLite does
in several calls), and in autocommit a statement is its own transaction: no BEGIN and COMMIT round trips.
The few writes that need several statements run in `transaction`, which retries the whole function when
PostgreSQL picks it as a deadlock victim or cannot serialize it, since nothing of it was kept."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import psycopg
from psycopg import errors
from psycopg.pq import TransactionStatus

from storage.postgres import migrate

T = TypeVar("T")
Conn = psycopg.AsyncConnection[Any]
Params = Sequence[Any] | dict[str, Any] | None
log = logging.getLogger("articlebot.storage")

POOL_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10
POOL_WAIT_SECONDS = 30.0
RETRIES = 5  # deadlock or serialization failure: the transaction is run again, this many times at most
RETRYABLE = (errors.DeadlockDetected, errors.SerializationFailure)


class PoolTimeout(Exception):
    """Every connection stayed busy for the whole wait."""


class Pool:
    def __init__(self, url: str, size: int, wait_seconds: float) -> None:
        self.url = url
        self.size = max(1, size)
        self.wait_seconds = wait_seconds
        self.idle: deque[Conn] = deque()
        self.opened = 0
        self.waiters: deque[asyncio.Future[Conn]] = deque()
        self.closed = False

    async def _connect(self) -> Conn:
        self.opened += 1  # counted before the await, so concurrent checkouts never open more than `size`
        try:
            return await psycopg.AsyncConnection.connect(self.url, autocommit=True,
                                                         connect_timeout=CONNECT_TIMEOUT_SECONDS)
        except BaseException:
            self.opened -= 1
            raise

    async def _get(self) -> Conn:
        if self.idle:
            return self.idle.pop()
        if self.opened < self.size:
            return await self._connect()
        waiter: asyncio.Future[Conn] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, self.wait_seconds)
        except BaseException as err:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._put(waiter.result())  # handed over just as this caller gave up: not lost
            if isinstance(err, TimeoutError):
                raise PoolTimeout(f"no database connection free within {self.wait_seconds:g} s") from None
            raise
        finally:
            if waiter in self.waiters:
                self.waiters.remove(waiter)

    def _put(self, conn: Conn) -> None:
        if self.closed or conn.broken or conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            self.opened -= 1
            asyncio.get_running_loop().create_task(conn.close())  # a broken one is not handed out again
            if self.waiters and not self.closed:  # its place is free: a waiter opens a new one
                self._replace(self.waiters.popleft())
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)

    def _replace(self, waiter: asyncio.Future[Conn]) -> None:
        async def fresh() -> None:
            try:
                conn = await self._connect()
            except Exception as err:
                if not waiter.done():
                    waiter.set_exception(err)
                return
            if waiter.done():
                self._put(conn)
            else:
                waiter.set_result(conn)

        asyncio.get_running_loop().create_task(fresh())

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        conn = await self._get()
        try:
            yield conn
        finally:
            self._put(conn)

    async def drop_idle(self) -> None:
        while self.idle:
            conn = self.idle.pop()
            self.opened -= 1
            await conn.close()

    async def close(self) -> None:
        self.closed = True
        await self.drop_idle()


class PgDatabase:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE, wait_seconds: float = POOL_WAIT_SECONDS,
                   ) -> PgDatabase:
        await migrate(url)  # before the pool: the schema is there when the first query runs
        pool = Pool(url, pool_size, wait_seconds)
        async with pool.connection():  # one connection now: a wrong address fails here, not at the first event
            pass
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def _read(self, sql: str, params: Params, many: bool) -> Any:
        # A read is safe to run again: when its connection turns out to be dead (the server restarted, or
        # an operator ended the session), the idle ones are likely dead too; all are dropped and it runs once
        # more on a fresh connection. Writes are not retried: one may have committed before the line broke.
        for attempt in range(2):
            async with self.pool.connection() as conn:
                try:
                    cur = await conn.execute(sql, params)
                    return await (cur.fetchall() if many else cur.fetchone())
                except psycopg.OperationalError:
                    if attempt or not conn.broken:
                        raise
                    log.warning("a database connection was closed by the server; reconnecting")
                    await self.pool.drop_idle()

    async def fetchall(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return cast(list[tuple[Any, ...]], await self._read(sql, params, True))

    async def fetchone(self, sql: str, params: Params = None) -> tuple[Any, ...] | None:
        return cast(tuple[Any, ...] | None, await self._read(sql, params, False))

    async def write(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """One statement that writes, committed when this returns; the rows it returns."""
        async with self.pool.connection() as conn:
            cur = await conn.execute(sql, params)
            return await cur.fetchall() if cur.description is not None else []

    async def execute(self, sql: str, params: Params = None) -> int:
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


async def one(conn: Conn, sql: str, params: Params = None) -> tuple[Any, ...] | None:
    cur = await conn.execute(sql, params)
    return await cur.fetchone()
