"""Which store a database address names: a postgresql:// URL is PostgreSQL, anything else a SQLite file.

psycopg (and its libpq) is imported only for a PostgreSQL address: the SQLite default starts without it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from storage.caches import CHAT_ARTICLE_SECONDS
from storage.sqlite import SqliteStore

if TYPE_CHECKING:
    from storage.postgres.store import PostgresStore

AnyStore = Union[SqliteStore, "PostgresStore"]  # noqa: UP007  (a string part: PostgresStore is not imported)
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


async def open_store(target: str | Path, *, synchronous: str = "NORMAL", pool_size: int = 10,
                     chat_article_seconds: float = CHAT_ARTICLE_SECONDS) -> AnyStore:
    """Opens (and migrates, by one process at a time) the store at `target`."""
    if is_postgres(target):
        from storage.postgres.store import PostgresStore

        return await PostgresStore.open(str(target), pool_size=pool_size, chat_article_seconds=chat_article_seconds)
    return await SqliteStore.open(target, synchronous=synchronous, chat_article_seconds=chat_article_seconds)
