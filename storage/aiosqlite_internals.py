"""The one module that reaches into aiosqlite's private API (checked by tests/test_library_contracts.py, so an
upgrade that moves it fails there, by name).

Why: a whole transaction (BEGIN IMMEDIATE ... COMMIT, with Python between its statements) must run as one job
on aiosqlite's worker thread, with nothing else in between; aiosqlite's public API runs one statement per job."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar, cast

import aiosqlite

T = TypeVar("T")


async def on_thread(conn: aiosqlite.Connection, fn: Callable[[], T]) -> T:
    """Runs `fn` as one job on the connection's own thread (`Connection._execute`)."""
    return cast(T, await conn._execute(fn))


def raw_connection(conn: aiosqlite.Connection) -> sqlite3.Connection:
    """The sqlite3 connection inside (`Connection._conn`); use it only inside `on_thread`."""
    return conn._conn
